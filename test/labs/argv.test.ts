import { describe, expect, it } from 'vitest';
import { labNetdev, labQemuArgv, multibootModules } from '../../src/labs/argv.ts';

const files = {
  kernel: '/c/labs/images/abc/vmlinuz',
  initrd: '/c/labs/kvm/initrd.cpio.gz',
  consoleLog: '/c/labs/kvm/console.log',
  pidFile: '/c/labs/kvm/qemu.pid',
  scratchDisk: '/c/labs/kvm/scratch.raw',
};

describe('lab QEMU argv', () => {
  it('KVM lab: q35, multi-threaded TCG, -cpu max (SVM with nested paging), 2 CPUs, 3 GiB, its /tmp disk, detached', () => {
    expect(labQemuArgv('kvm', files, 40022)).toEqual([
      'qemu-system-x86_64',
      '-machine',
      'q35',
      '-accel',
      'tcg,thread=multi',
      '-cpu',
      'max',
      '-smp',
      '2',
      '-m',
      '3G',
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-monitor',
      'none',
      '-no-reboot',
      '-chardev',
      'file,id=con0,path=/c/labs/kvm/console.log',
      '-serial',
      'chardev:con0',
      '-netdev',
      'user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22',
      '-device',
      'virtio-net-pci,netdev=n0',
      '-drive',
      'file=/c/labs/kvm/scratch.raw,format=raw,if=none,id=d0',
      '-device',
      'virtio-blk-pci,drive=d0',
      '-kernel',
      '/c/labs/images/abc/vmlinuz',
      '-initrd',
      '/c/labs/kvm/initrd.cpio.gz',
      '-append',
      'console=ttyS0 panic=-1',
      '-daemonize',
      '-pidfile',
      '/c/labs/kvm/qemu.pid',
    ]);
  });

  it('Xen lab: -cpu max,-smap, Xen as the kernel, dom0 and its initrd as multiboot modules', () => {
    const xen = { ...files, hypervisor: '/c/labs/images/def/xen', kernel: '/c/labs/images/def/vmlinuz', initrd: '/c/labs/xen/initrd.cpio.gz' };
    const argv = labQemuArgv('xen', xen, 40023, '/usr/bin/qemu-system-x86_64');
    expect(argv.slice(0, 11)).toEqual([
      '/usr/bin/qemu-system-x86_64',
      '-machine',
      'q35',
      '-accel',
      'tcg,thread=multi',
      '-cpu',
      'max,-smap',
      '-smp',
      '2',
      '-m',
      '3G',
    ]);
    expect(argv.slice(argv.indexOf('-kernel'))).toEqual([
      '-kernel',
      '/c/labs/images/def/xen',
      '-append',
      'console=com1 com1=115200,8n1 dom0_mem=1G,max:1G loglvl=all guest_loglvl=all noreboot',
      '-initrd',
      '/c/labs/images/def/vmlinuz console=hvc0 earlyprintk=xen,/c/labs/xen/initrd.cpio.gz',
      '-daemonize',
      '-pidfile',
      '/c/labs/kvm/qemu.pid',
    ]);
  });

  it('forwards only the SSH port, only on 127.0.0.1, and cuts the lab off from everything else', () => {
    for (const lab of ['kvm', 'xen'] as const) {
      const argv = labQemuArgv(lab, { ...files, hypervisor: '/x/xen' }, 2222);
      const netdevs = argv.filter((_, i) => argv[i - 1] === '-netdev');
      expect(netdevs).toEqual(['user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:2222-:22']);
      expect(argv.join(' ')).not.toMatch(/0\.0\.0\.0|hostfwd=tcp::|guestfwd|-nic/);
    }
    expect(() => labNetdev(0)).toThrow(/1–65535/);
    expect(() => labNetdev(70000)).toThrow(/1–65535/);
  });

  it('escapes commas in paths; refuses what QEMU cannot take', () => {
    expect(labQemuArgv('kvm', { ...files, consoleLog: '/a,b/console.log' }, 1)).toContain('file,id=con0,path=/a,,b/console.log');
    expect(multibootModules('/k,1/vmlinuz', 'console=hvc0', '/i/initrd')).toBe('/k,,1/vmlinuz console=hvc0,/i/initrd');
    expect(() => multibootModules('/a b/vmlinuz', 'console=hvc0', '/i')).toThrow(/white space/);
    expect(() => multibootModules('/k', 'a=1,2', '/i')).toThrow(/comma/);
    expect(() => labQemuArgv('xen', files, 1)).toThrow(/hypervisor/);
    expect(() => labQemuArgv('kvm', { ...files, scratchDisk: undefined }, 1)).toThrow(/scratch disk/);
    expect(labQemuArgv('kvm', { ...files, scratchDisk: '/a,b/scratch.raw' }, 1)).toContain('file=/a,,b/scratch.raw,format=raw,if=none,id=d0');
  });
});
