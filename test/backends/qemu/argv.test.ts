import { describe, expect, it } from 'vitest';
import type { VmSpec } from '../../../src/backends/common/backend.ts';
import {
  MAX_KERNEL_CMDLINE_BYTES,
  QEMU_DISK_MODELS,
  QEMU_NIC_MODELS,
  buildQemuArgv,
  escapeQemuOptionValue,
  kernelCommandLine,
} from '../../../src/backends/qemu/argv.ts';
import { HvbError } from '../../../src/util/errors.ts';

const base: VmSpec = {
  name: 'cpu-r1',
  vcpus: 1,
  memoryMiB: 512,
  kernel: '/img/vmlinuz',
  initramfs: '/img/initrd.img',
  cmdline: 'quiet panic=-1 hvb=job',
  disks: [],
  nics: [],
  console: 'serial',
};
const qmpSocket = '/tmp/hvbench-x/qmp.sock';

function thrown(run: () => unknown): HvbError {
  try {
    run();
  } catch (error) {
    if (error instanceof HvbError) return error;
    throw error;
  }
  throw new Error('expected an HvbError');
}

describe('buildQemuArgv', () => {
  it('compiles a minimal spec for TCG', () => {
    expect(buildQemuArgv(base, { accel: 'tcg', qmpSocket })).toEqual([
      'qemu-system-x86_64',
      '-machine',
      'pc',
      '-accel',
      'tcg',
      '-cpu',
      'qemu64',
      '-smp',
      '1',
      '-m',
      '512M',
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-monitor',
      'none',
      '-no-reboot',
      '-no-shutdown',
      '-chardev',
      'stdio,id=con0,signal=off',
      '-serial',
      'chardev:con0',
      '-qmp',
      'unix:/tmp/hvbench-x/qmp.sock,server=on,wait=off',
      '-kernel',
      '/img/vmlinuz',
      '-initrd',
      '/img/initrd.img',
      '-append',
      'quiet panic=-1 hvb=job console=ttyS0',
    ]);
  });

  it('uses multi-threaded TCG for several vCPUs, and KVM, machine, CPU and binary when asked', () => {
    const tcg = buildQemuArgv({ ...base, vcpus: 2 }, { accel: 'tcg', qmpSocket });
    expect(tcg.slice(tcg.indexOf('-accel'), tcg.indexOf('-accel') + 2)).toEqual(['-accel', 'tcg,thread=multi']);
    expect(tcg.slice(tcg.indexOf('-smp'), tcg.indexOf('-smp') + 2)).toEqual(['-smp', '2']);

    const kvm = buildQemuArgv({ ...base, vcpus: 2 }, { accel: 'kvm', qmpSocket, machine: 'q35', cpu: 'max', binary: '/opt/qemu/bin/qemu-system-x86_64' });
    expect(kvm.slice(0, 7)).toEqual(['/opt/qemu/bin/qemu-system-x86_64', '-machine', 'q35', '-accel', 'kvm', '-cpu', 'max']);
  });

  it('maps every disk and NIC model to QEMU devices, in spec order', () => {
    const vm: VmSpec = {
      ...base,
      disks: [
        { id: 'vd0', path: '/scratch/a.img', format: 'raw', model: 'virtio-blk' },
        { id: 'hd0', path: '/scratch/b.img', format: 'raw', model: 'ide' },
        { id: 'hd1', path: '/scratch/c.img', format: 'raw', model: 'ide' },
        { id: 'hd2', path: '/scratch/c2.img', format: 'raw', model: 'ide' },
        { id: 'sata0', path: '/scratch/d.qcow2', format: 'qcow2', model: 'ahci', readonly: true },
        { id: 'sata1', path: '/scratch/e.img', format: 'raw', model: 'ahci' },
        { id: 'nvme0', path: '/scratch/f.img', format: 'raw', model: 'nvme' },
        { id: 'sd0', path: '/scratch/g.img', format: 'raw', model: 'virtio-scsi' },
        { id: 'sd1', path: '/scratch/h.img', format: 'raw', model: 'virtio-scsi' },
      ],
      nics: [
        { id: 'net0', model: 'virtio-net', attach: { kind: 'tap', ifname: 'hvb-tap0' } },
        {
          id: 'net1',
          model: 'e1000',
          attach: {
            kind: 'user',
            hostForwards: [
              { hostPort: 2222, guestPort: 22 },
              { hostPort: 5201, guestPort: 5201 },
            ],
          },
        },
        { id: 'net2', model: 'rtl8139', attach: { kind: 'user' } },
      ],
    };
    const argv = buildQemuArgv(vm, { accel: 'tcg', qmpSocket });
    const devices = argv.slice(argv.indexOf('-append') + 2);
    const drive = (id: string, file: string, format = 'raw', extra = '') => `file=${file},if=none,id=${id},format=${format},cache=none,aio=threads${extra}`;
    expect(devices).toEqual([
      '-drive',
      drive('vd0', '/scratch/a.img'),
      '-device',
      'virtio-blk-pci,drive=vd0',
      '-drive',
      drive('hd0', '/scratch/b.img'),
      '-device',
      'ide-hd,bus=ide.0,unit=0,drive=hd0',
      '-drive',
      drive('hd1', '/scratch/c.img'),
      '-device',
      'ide-hd,bus=ide.0,unit=1,drive=hd1',
      '-drive',
      drive('hd2', '/scratch/c2.img'),
      '-device',
      'ide-hd,bus=ide.1,unit=0,drive=hd2',
      '-drive',
      drive('sata0', '/scratch/d.qcow2', 'qcow2', ',readonly=on'),
      '-device',
      'ahci,id=ahci0',
      '-device',
      'ide-hd,bus=ahci0.0,drive=sata0',
      '-drive',
      drive('sata1', '/scratch/e.img'),
      '-device',
      'ide-hd,bus=ahci0.1,drive=sata1',
      '-drive',
      drive('nvme0', '/scratch/f.img'),
      '-device',
      'nvme,serial=nvme0,drive=nvme0',
      '-drive',
      drive('sd0', '/scratch/g.img'),
      '-device',
      'virtio-scsi-pci,id=scsi0',
      '-device',
      'scsi-hd,bus=scsi0.0,scsi-id=0,drive=sd0',
      '-drive',
      drive('sd1', '/scratch/h.img'),
      '-device',
      'scsi-hd,bus=scsi0.0,scsi-id=1,drive=sd1',
      '-netdev',
      'tap,id=net0,ifname=hvb-tap0,script=no,downscript=no',
      '-device',
      'virtio-net-pci,netdev=net0',
      '-netdev',
      'user,id=net1,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=tcp:127.0.0.1:5201-:5201',
      '-device',
      'e1000,netdev=net1',
      '-netdev',
      'user,id=net2',
      '-device',
      'rtl8139,netdev=net2',
    ]);
  });

  it('doubles commas in drive file names (QEMU option syntax)', () => {
    expect(escapeQemuOptionValue('/a,b,,c')).toBe('/a,,b,,,,c');
    const argv = buildQemuArgv(
      { ...base, disks: [{ id: 'd0', path: '/data/run,1/scratch.img', format: 'raw', model: 'virtio-blk' }] },
      { accel: 'tcg', qmpSocket },
    );
    expect(argv).toContain('file=/data/run,,1/scratch.img,if=none,id=d0,format=raw,cache=none,aio=threads');
  });

  it('passes the disk cache mode through', () => {
    const argv = buildQemuArgv(
      { ...base, disks: [{ id: 'd0', path: '/x.img', format: 'raw', model: 'virtio-blk' }] },
      { accel: 'tcg', qmpSocket, diskCache: 'writeback' },
    );
    expect(argv).toContain('file=/x.img,if=none,id=d0,format=raw,cache=writeback,aio=threads');
  });

  it('rejects unknown device models, naming the model and listing the known ones', () => {
    const disk = thrown(() => buildQemuArgv({ ...base, disks: [{ id: 'd0', path: '/x.img', format: 'raw', model: 'xen-vbd' }] }, { accel: 'tcg', qmpSocket }));
    expect(disk.code).toBe('unsupported-device');
    expect(disk.message).toContain('"xen-vbd"');
    for (const model of QEMU_DISK_MODELS) expect(disk.message).toContain(model);

    const nic = thrown(() => buildQemuArgv({ ...base, nics: [{ id: 'n0', model: 'vmxnet3', attach: { kind: 'user' } }] }, { accel: 'tcg', qmpSocket }));
    expect(nic.code).toBe('unsupported-device');
    expect(nic.message).toContain('"vmxnet3"');
    for (const model of QEMU_NIC_MODELS) expect(nic.message).toContain(model);
  });

  it('rejects what QEMU could not take', () => {
    expect(thrown(() => buildQemuArgv({ ...base, console: 'xen' }, { accel: 'tcg', qmpSocket })).code).toBe('unsupported-device');
    expect(thrown(() => buildQemuArgv({ ...base, vcpus: 0 }, { accel: 'tcg', qmpSocket })).code).toBe('invalid-vm-spec');
    expect(thrown(() => buildQemuArgv({ ...base, memoryMiB: 1.5 }, { accel: 'tcg', qmpSocket })).code).toBe('invalid-vm-spec');
    expect(thrown(() => buildQemuArgv(base, { accel: 'tcg', qmpSocket: '/tmp/a,b/qmp.sock' })).code).toBe('invalid-argument');
    const badId = { ...base, disks: [{ id: 'd0,if=floppy', path: '/x', format: 'raw' as const, model: 'ide' }] };
    expect(thrown(() => buildQemuArgv(badId, { accel: 'tcg', qmpSocket })).code).toBe('invalid-vm-spec');
    const badTap = { ...base, nics: [{ id: 'n0', model: 'e1000', attach: { kind: 'tap' as const, ifname: 'tap0,script=/evil' } }] };
    expect(thrown(() => buildQemuArgv(badTap, { accel: 'tcg', qmpSocket })).code).toBe('invalid-vm-spec');
    const badPort = { ...base, nics: [{ id: 'n0', model: 'e1000', attach: { kind: 'user' as const, hostForwards: [{ hostPort: 70000, guestPort: 22 }] } }] };
    expect(thrown(() => buildQemuArgv(badPort, { accel: 'tcg', qmpSocket })).code).toBe('invalid-vm-spec');
    const fiveIde = { ...base, disks: [0, 1, 2, 3, 4].map((i) => ({ id: `h${i}`, path: '/x', format: 'raw' as const, model: 'ide' })) };
    expect(thrown(() => buildQemuArgv(fiveIde, { accel: 'tcg', qmpSocket })).code).toBe('unsupported-device');
  });
});

describe('kernelCommandLine', () => {
  it('appends the serial console', () => {
    expect(kernelCommandLine('quiet')).toBe('quiet console=ttyS0');
    expect(kernelCommandLine('')).toBe('console=ttyS0');
  });

  it('rejects a newline, with a clear error', () => {
    const error = thrown(() => kernelCommandLine('quiet\nhvb=x'));
    expect(error.code).toBe('invalid-cmdline');
    expect(error.message).toMatch(/one line/);
    expect(thrown(() => kernelCommandLine('quiet\rx')).code).toBe('invalid-cmdline');
  });

  it('accepts up to 2047 bytes in all and rejects more, counting UTF-8 bytes', () => {
    const room = MAX_KERNEL_CMDLINE_BYTES - ' console=ttyS0'.length;
    expect(Buffer.byteLength(kernelCommandLine('a'.repeat(room)))).toBe(2047);
    const error = thrown(() => kernelCommandLine('a'.repeat(room + 1)));
    expect(error.code).toBe('invalid-cmdline');
    expect(error.message).toContain('2048 bytes');
    // 'é' is two bytes: the same character count no longer fits.
    expect(thrown(() => kernelCommandLine(`é${'a'.repeat(room - 1)}`)).code).toBe('invalid-cmdline');
  });
});
