import { describe, expect, it } from 'vitest';
import type { DiskSpec } from '../../../src/backends/common/backend.ts';
import { diskArgv } from '../../../src/backends/qemu/devices.ts';
import { qemuDiskPath } from '../../../src/backends/qemu/disk-path.ts';
import { microvmMachine } from '../../../src/backends/qemu/machine-microvm.ts';
import { QEMU_MACHINES } from '../../../src/backends/qemu/machines.ts';
import { tcgBackend } from '../../../src/backends/qemu/tcg.ts';
import { kvmBackend } from '../../../src/backends/qemu/kvm.ts';
import { DEFAULT_DISK_PATH, type DiskPath } from '../../../src/devices/models.ts';
import { HvbError } from '../../../src/util/errors.ts';

const disk = (model: string, ioPath?: DiskPath): DiskSpec => ({ id: 'scratch', path: '/var/tmp/s.raw', format: 'raw', model, ...(ioPath ? { ioPath } : {}) });
const path = (p: Partial<DiskPath>): DiskPath => ({ ...DEFAULT_DISK_PATH, ...p });
const YES = { qemuIoUring: 'yes' };

describe('the disk I/O path on the QEMU command line', () => {
  it("writes the default path exactly as a disk without one (cache from the options, aio=threads, no iothread, QEMU's own queues)", () => {
    for (const model of ['virtio-blk', 'virtio-scsi', 'nvme', 'ide', 'ahci']) {
      expect(diskArgv([disk(model, path({}))], { cache: 'none' }), model).toEqual(diskArgv([disk(model)], { cache: 'none' }));
    }
    expect(diskArgv([disk('virtio-blk', path({}))], { cache: 'none' })).toEqual([
      '-drive',
      'file=/var/tmp/s.raw,if=none,id=scratch,format=raw,cache=none,aio=threads',
      '-device',
      'virtio-blk-pci,drive=scratch',
    ]);
  });

  it('sets aio and cache on the drive, an iothread of its own and num-queues on virtio-blk', () => {
    expect(diskArgv([disk('virtio-blk', { aio: 'io_uring', cache: 'directsync', iothread: true, queues: 2 })], { cache: 'none' })).toEqual([
      '-object',
      'iothread,id=io0',
      '-drive',
      'file=/var/tmp/s.raw,if=none,id=scratch,format=raw,cache=directsync,aio=io_uring',
      '-device',
      'virtio-blk-pci,drive=scratch,iothread=io0,num-queues=2',
    ]);
    expect(diskArgv([disk('virtio-blk', path({ aio: 'native' }))], { cache: 'none' })).toContain(
      'file=/var/tmp/s.raw,if=none,id=scratch,format=raw,cache=none,aio=native',
    );
    expect(diskArgv([disk('nvme', path({ cache: 'writeback' }))], { cache: 'none' })).toContain(
      'file=/var/tmp/s.raw,if=none,id=scratch,format=raw,cache=writeback,aio=threads',
    );
  });

  it("puts a virtio-scsi disk's iothread on its controller", () => {
    expect(diskArgv([disk('virtio-scsi', path({ iothread: true }))], { cache: 'none' })).toEqual([
      '-object',
      'iothread,id=io0',
      '-drive',
      'file=/var/tmp/s.raw,if=none,id=scratch,format=raw,cache=none,aio=threads',
      '-device',
      'virtio-scsi-pci,id=scsi0,iothread=io0',
      '-device',
      'scsi-hd,bus=scsi0.0,scsi-id=0,drive=scratch',
    ]);
  });

  it("sets num-queues on microvm's virtio-blk-device too", () => {
    expect(diskArgv([disk('virtio-blk', path({ queues: 4 }))], { cache: 'none', machine: microvmMachine })).toContain(
      'virtio-blk-device,drive=scratch,num-queues=4',
    );
  });

  it('refuses a hand-built spec with a path QEMU cannot run', () => {
    const refused = (d: DiskSpec) => {
      try {
        diskArgv([d], { cache: 'none' });
      } catch (e) {
        if (e instanceof HvbError) return e.message;
      }
      throw new Error('expected an HvbError');
    };
    expect(refused(disk('virtio-blk', path({ aio: 'native', cache: 'writeback' })))).toBe(
      'disk "scratch": aio=native needs O_DIRECT (cache none or directsync), not cache=writeback',
    );
    expect(refused(disk('nvme', path({ iothread: true })))).toBe('disk "scratch": an iothread serves virtio-blk and virtio-scsi disks only, not nvme');
    expect(refused(disk('ide', path({ queues: 2 })))).toBe('disk "scratch": num-queues is set on virtio-blk disks only, not ide');
    expect(refused(disk('virtio-blk', path({ queues: 0 })))).toBe('disk "scratch": queues must be a whole number from 1 to 16, got 0');
  });
});

describe("QEMU's disk path rules (the case is skipped with the reason)", () => {
  it('runs every knob on virtio-blk, on every machine type', () => {
    for (const machine of Object.values(QEMU_MACHINES)) {
      expect(machine.devices.diskPath?.({ aio: 'io_uring', cache: 'none', iothread: true, queues: 2 }, 'virtio-blk', YES), machine.name).toBeUndefined();
    }
    expect(qemuDiskPath(path({ aio: 'native', cache: 'directsync' }), 'nvme', YES)).toBeUndefined();
    expect(qemuDiskPath(path({ iothread: true }), 'virtio-scsi', YES)).toBeUndefined();
  });

  it('follows QEMU where it refuses', () => {
    expect(qemuDiskPath(path({ aio: 'native', cache: 'writeback' }), 'virtio-blk', YES)).toBe(
      'QEMU refuses aio=native with cache=writeback: Linux native AIO needs O_DIRECT (cache none or directsync)',
    );
    expect(qemuDiskPath(path({ iothread: true }), 'nvme', YES)).toBe('QEMU serves only virtio-blk and virtio-scsi disks from an iothread, not nvme');
    expect(qemuDiskPath(path({ queues: 2 }), 'virtio-scsi', YES)).toBe('hvbench sets request queues (num-queues) on virtio-blk disks only, not on virtio-scsi');
  });

  it('runs io_uring only where the probe saw QEMU open a drive with it', () => {
    const no = { qemuIoUring: 'no: Unable to use io_uring: failed to init linux io_uring ring: Operation not permitted' };
    expect(qemuDiskPath(path({ aio: 'io_uring' }), 'virtio-blk', no)).toBe(
      'this QEMU cannot use aio=io_uring here (no: Unable to use io_uring: failed to init linux io_uring ring: Operation not permitted)',
    );
    expect(qemuDiskPath(path({ aio: 'threads' }), 'virtio-blk', no)).toBeUndefined();
  });
});

describe('an iothread on a virtio-mmio board', () => {
  it('is refused under TCG (QEMU: "ioeventfd is required for iothread"), offered under KVM and on PCI boards', () => {
    const iothread = path({ iothread: true });
    const tcgMicrovm = tcgBackend.devices('microvm').diskPath;
    expect(tcgMicrovm?.(iothread, 'virtio-blk', YES)).toMatch(/an iothread on microvm needs KVM: under TCG virtio-mmio has no ioeventfd/);
    expect(tcgMicrovm?.(path({ aio: 'io_uring' }), 'virtio-blk', YES)).toBeUndefined();
    expect(tcgBackend.devices('pc').diskPath?.(iothread, 'virtio-blk', YES)).toBeUndefined();
    expect(kvmBackend.devices('microvm').diskPath?.(iothread, 'virtio-blk', YES)).toBeUndefined();
  });
});
