import { describe, expect, it } from 'vitest';
import type { VmSpec } from '../../../src/backends/common/backend.ts';
import { buildQemuArgv } from '../../../src/backends/qemu/argv.ts';
import { kvmBackend } from '../../../src/backends/qemu/kvm.ts';
import { tcgBackend } from '../../../src/backends/qemu/tcg.ts';
import { microvmMachine } from '../../../src/backends/qemu/machine-microvm.ts';
import { pcMachine } from '../../../src/backends/qemu/machine-pc.ts';
import { qemuShare, shareArgv } from '../../../src/backends/qemu/shares.ts';
import { HvbError } from '../../../src/util/errors.ts';

const vm: VmSpec = {
  name: 'fs-r1',
  vcpus: 1,
  memoryMiB: 512,
  kernel: '/img/vmlinuz',
  initramfs: '/img/initrd.img',
  cmdline: 'quiet',
  disks: [],
  nics: [],
  console: 'serial',
};
const qmpSocket = '/tmp/hvbench-x/qmp.sock';
const socket = () => '/tmp/hvbench-x/virtiofsd.sock';
const found = { virtiofsd: '/usr/lib/qemu/virtiofsd' };

describe('QEMU share arguments', () => {
  it('serves 9p from QEMU itself: a local fsdev with the uid QEMU runs as, a virtio-9p device with the mount tag', () => {
    expect(shareArgv([{ tag: 'hvbshare', path: '/srv/run/scratch/fs.share', model: '9p' }], { machine: pcMachine, memoryMiB: 512 })).toEqual({
      argv: ['-fsdev', 'local,id=hvbshare,path=/srv/run/scratch/fs.share,security_model=none', '-device', 'virtio-9p-pci,fsdev=hvbshare,mount_tag=hvbshare'],
      machineOptions: [],
    });
  });

  it("connects virtiofs to its virtiofsd and makes the whole guest memory a shared memfd, the board's memory", () => {
    expect(shareArgv([{ tag: 'hvbshare', path: '/srv/s', model: 'virtiofs' }], { machine: pcMachine, memoryMiB: 512, virtiofsSocket: socket })).toEqual({
      argv: [
        '-object',
        'memory-backend-memfd,id=hvb-mem,size=512M,share=on',
        '-chardev',
        'socket,id=hvbshare-sock,path=/tmp/hvbench-x/virtiofsd.sock',
        '-device',
        'vhost-user-fs-pci,chardev=hvbshare-sock,tag=hvbshare',
      ],
      machineOptions: ['memory-backend=hvb-mem'],
    });
  });

  it('uses the virtio-mmio devices on microvm', () => {
    const a = shareArgv([{ tag: 'hvbshare', path: '/srv/s', model: '9p' }], { machine: microvmMachine, memoryMiB: 256 });
    expect(a.argv[3]).toBe('virtio-9p-device,fsdev=hvbshare,mount_tag=hvbshare');
    const b = shareArgv([{ tag: 'hvbshare', path: '/srv/s', model: 'virtiofs' }], { machine: microvmMachine, memoryMiB: 256, virtiofsSocket: socket });
    expect(b.argv.at(-1)).toBe('vhost-user-fs-device,chardev=hvbshare-sock,tag=hvbshare');
  });

  it("escapes a comma in the 9p folder's path, as QEMU reads it", () => {
    expect(shareArgv([{ tag: 'hvbshare', path: '/srv/a,b', model: '9p' }], { machine: pcMachine, memoryMiB: 512 }).argv[1]).toBe(
      'local,id=hvbshare,path=/srv/a,,b,security_model=none',
    );
  });

  it('refuses a bad tag, a virtiofs share without its socket, and a model QEMU does not share with', () => {
    const refusal = (run: () => unknown) => {
      try {
        run();
      } catch (e) {
        if (e instanceof HvbError) return e.message;
        throw e;
      }
      throw new Error('expected an HvbError');
    };
    expect(refusal(() => shareArgv([{ tag: '9tag', path: '/s', model: '9p' }], { machine: pcMachine, memoryMiB: 512 }))).toMatch(
      /share tag "9tag" is not valid/,
    );
    expect(refusal(() => shareArgv([{ tag: 'hvbshare', path: '/s', model: 'virtiofs' }], { machine: pcMachine, memoryMiB: 512 }))).toMatch(
      /virtiofs needs its virtiofsd's socket/,
    );
    expect(refusal(() => shareArgv([{ tag: 'hvbshare', path: '/s', model: 'host-dir' }], { machine: pcMachine, memoryMiB: 512 }))).toMatch(
      /QEMU shares folders by virtiofs or 9p, not host-dir/,
    );
  });

  it("puts the memory backend on the board's -machine and the devices after the NICs in the whole command line", () => {
    const argv = buildQemuArgv(
      { ...vm, shares: [{ tag: 'hvbshare', path: '/srv/s', model: 'virtiofs' }] },
      { accel: 'tcg', qmpSocket, virtiofsSocket: socket },
    );
    expect(argv.slice(1, 3)).toEqual(['-machine', 'pc,memory-backend=hvb-mem']);
    expect(argv).toContain('vhost-user-fs-pci,chardev=hvbshare-sock,tag=hvbshare');
    expect(argv[argv.indexOf('-m') + 1]).toBe('512M');
    // A VM without shares keeps its command line.
    expect(buildQemuArgv(vm, { accel: 'tcg', qmpSocket }).slice(1, 3)).toEqual(['-machine', 'pc']);
  });
});

describe('what QEMU offers for shares', () => {
  it('offers both shares and the block reference, paravirtual, and virtiofs only where the probe found virtiofsd', () => {
    expect(qemuShare('9p', {})).toEqual({ ok: true, model: '9p', io: 'paravirtual' });
    expect(qemuShare('block', {})).toEqual({ ok: true, model: 'block', io: 'paravirtual' });
    expect(qemuShare('virtiofs', { virtiofsd: '/usr/lib/qemu/virtiofsd' })).toEqual({ ok: true, model: 'virtiofs', io: 'paravirtual' });
    expect(qemuShare('virtiofs', { virtiofsd: 'no: none of /usr/lib/qemu/virtiofsd exists' })).toEqual({
      ok: false,
      reason: "virtiofs needs virtiofsd on the VMM's host, and there is none (no: none of /usr/lib/qemu/virtiofsd exists)",
    });
  });

  it('is what the tcg backend declares on every machine', () => {
    for (const machine of ['pc', 'q35', 'microvm']) expect(tcgBackend.devices(machine).share?.('9p', {})).toMatchObject({ ok: true });
  });

  it('has no virtiofs on microvm under TCG (virtio-mmio without ioeventfd), but on KVM', () => {
    expect(tcgBackend.devices('microvm').share?.('virtiofs', found)).toEqual({ ok: false, reason: expect.stringContaining('virtiofs on microvm needs KVM') });
    expect(tcgBackend.devices('q35').share?.('virtiofs', found)).toMatchObject({ ok: true });
    expect(kvmBackend.devices('microvm').share?.('virtiofs', found)).toEqual({ ok: true, model: 'virtiofs', io: 'paravirtual' });
  });
});
