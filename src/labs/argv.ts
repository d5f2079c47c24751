import { qemuBoard } from '../backends/qemu/argv.ts';
import { escapeQemuOptionValue } from '../backends/qemu/devices.ts';
import { HvbError } from '../util/errors.ts';
import type { LabName } from './recipe.ts';

/** The files one lab boot uses; the console log and the pid file are written by QEMU. */
export interface LabBootFiles {
  /** Linux (the KVM lab host's kernel, or dom0's). */
  kernel: string;
  /** Xen's ELF (Xen lab only). */
  hypervisor?: string;
  /** The image's initramfs followed by the per-boot archive. */
  initrd: string;
  consoleLog: string;
  pidFile: string;
  /** KVM lab: a raw ext4 image the lab mounts as /tmp (virtio-blk, /dev/vda). */
  scratchDisk?: string;
}

/** Sizes and command lines of the labs, as measured in the lab notes. */
export const LAB_MACHINE = {
  /** The KVM lab's disk for /tmp (sparse on this machine; the lab writes what it uses). */
  scratchDiskGiB: 8,
  machine: 'q35',
  accel: 'tcg,thread=multi',
  smp: 2,
  memory: '3G',
  kvm: { cpu: 'max', append: 'console=ttyS0 panic=-1' },
  // Xen's dom0 dies at once under `-cpu max` alone (SMAP); dom0 gets 1 GiB, guests the rest.
  xen: {
    cpu: 'max,-smap',
    append: 'console=com1 com1=115200,8n1 dom0_mem=1G,max:1G loglvl=all guest_loglvl=all noreboot',
    dom0Append: 'console=hvc0 earlyprintk=xen',
  },
} as const;

/** The user-mode network: only the lab's SSH port, only on the loopback address, no other way out. */
export function labNetdev(port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new HvbError('invalid-argument', `SSH port must be 1–65535, got ${port}`);
  return `user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:${port}-:22`;
}

/**
 * The QEMU argv that boots a lab under TCG, detached (`-daemonize`, pid in `pidFile`) so the
 * lab outlives the command that started it, with the serial console in a file.
 */
export function labQemuArgv(lab: LabName, files: LabBootFiles, port: number, binary = 'qemu-system-x86_64'): string[] {
  const cpu = lab === 'kvm' ? LAB_MACHINE.kvm.cpu : LAB_MACHINE.xen.cpu;
  const common = [
    ...qemuBoard({ binary, machine: LAB_MACHINE.machine, accel: LAB_MACHINE.accel, cpu, smp: LAB_MACHINE.smp, memory: LAB_MACHINE.memory }),
    '-no-reboot',
    '-chardev',
    `file,id=con0,path=${escapeQemuOptionValue(files.consoleLog)}`,
    '-serial',
    'chardev:con0',
    '-netdev',
    labNetdev(port),
    '-device',
    'virtio-net-pci,netdev=n0',
  ];
  const detach = ['-daemonize', '-pidfile', files.pidFile];
  if (lab === 'kvm') {
    if (!files.scratchDisk) throw new HvbError('invalid-argument', 'the KVM lab mounts its disk as /tmp: the scratch disk file is missing');
    const disk = ['-drive', `file=${escapeQemuOptionValue(files.scratchDisk)},format=raw,if=none,id=d0`, '-device', 'virtio-blk-pci,drive=d0'];
    return [...common, ...disk, '-kernel', files.kernel, '-initrd', files.initrd, '-append', LAB_MACHINE.kvm.append, ...detach];
  }
  if (!files.hypervisor) throw new HvbError('invalid-argument', 'the Xen lab boots Xen: the hypervisor file is missing');
  return [
    ...common,
    '-kernel',
    files.hypervisor,
    '-append',
    LAB_MACHINE.xen.append,
    '-initrd',
    multibootModules(files.kernel, LAB_MACHINE.xen.dom0Append, files.initrd),
    ...detach,
  ];
}

/**
 * QEMU's multiboot `-initrd`: comma-separated modules, each a file name followed by its
 * command line after a space (a comma in a name is doubled). Xen takes the first as dom0's kernel.
 */
export function multibootModules(kernel: string, kernelArgs: string, initrd: string): string {
  for (const path of [kernel, initrd]) {
    if (/\s/.test(path)) {
      throw new HvbError('invalid-argument', `multiboot module paths cannot contain white space: "${path}"`, {
        hint: 'point $HVBENCH_CACHE at a folder without spaces',
      });
    }
  }
  if (kernelArgs.includes(',')) throw new HvbError('invalid-argument', `dom0 kernel arguments cannot contain a comma: "${kernelArgs}"`);
  return `${escapeQemuOptionValue(kernel)} ${kernelArgs},${escapeQemuOptionValue(initrd)}`;
}
