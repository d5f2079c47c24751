import { HvbError } from '../../util/errors.ts';
import { tcgTscKernelArgs } from '../common/host-tsc.ts';
import type { VmSpec } from '../common/backend.ts';
import { diskArgv, nicArgv } from './devices.ts';
import { machineOf, type QemuMachine } from './machines.ts';
import { shareArgv } from './shares.ts';

export type QemuAccel = 'tcg' | 'kvm';

export interface QemuArgvOptions {
  accel: QemuAccel;
  /** Path of the QMP unix socket QEMU listens on. */
  qmpSocket: string;
  /** Default `qemu-system-x86_64` (looked up in PATH). */
  binary?: string;
  /**
   * The machine type (a name in QEMU_MACHINES) for a VmSpec that names none; default `pc`
   * (i440fx: has IDE built in). A spec's `variant` wins over it: the suite chooses machine
   * types per case through the variant, while this option remains for what boots outside a
   * case, such as the KVM probe's canary. In qemuBaseArgv: the `-machine` value itself.
   */
  machine?: string;
  /** Default `qemu64`, QEMU's own default model, stated explicitly so it is recorded. */
  cpu?: string;
  /** `-drive cache=` mode. Default `none` (O_DIRECT: the page cache of the host stays out). */
  diskCache?: string;
  /** KVM only: virtio-net NICs on a tap use the host's vhost-net (see NicArgvOptions). Default off. */
  vhostNet?: boolean;
  /**
   * The TSC rate of the host QEMU runs on, in kHz. Under TCG the guest is told it and that its
   * TSC is reliable (tcgTscKernelArgs): required by a machine that needs it
   * (QemuMachine.needsHostTsc), given to the others where the host's TSC is trusted.
   */
  hostTscKhz?: number;
  /** The socket of the virtiofsd serving a virtiofs share, by its tag (the launch started it). */
  virtiofsSocket?: (tag: string) => string;
}

/** Defaults of every QEMU option hvbench sets. */
export const QEMU_DEFAULTS = {
  binary: 'qemu-system-x86_64',
  machine: 'pc',
  cpu: 'qemu64',
  diskCache: 'none',
} as const;

/** x86 Linux keeps at most 2048 bytes of command line, including the final NUL. */
export const MAX_KERNEL_CMDLINE_BYTES = 2047;

/** Serial console device name inside the guest. */
export const SERIAL_CONSOLE = 'ttyS0';

/**
 * The start of every QEMU command line hvbench writes (the guests', and the labs' under
 * TCG): binary, board, accelerator, CPU, vCPUs and memory, no default devices, no user
 * configuration, no display and no monitor.
 */
export function qemuBoard(b: { binary: string; machine: string; accel: string; cpu: string; smp: number; memory: string }): string[] {
  return [b.binary, '-machine', b.machine, '-accel', b.accel, '-cpu', b.cpu, '-smp', String(b.smp), '-m', b.memory, ...QEMU_HEADLESS];
}

/** No default devices, no user configuration, no display, no monitor: what every QEMU hvbench starts is told. */
export const QEMU_HEADLESS: readonly string[] = ['-nodefaults', '-no-user-config', '-display', 'none', '-monitor', 'none'];

/** Compiles a VmSpec into a QEMU argv (pure: no files are touched). */
export function buildQemuArgv(vm: VmSpec, options: QemuArgvOptions): string[] {
  if (vm.console !== 'serial') {
    throw new HvbError('unsupported-device', `console "${vm.console}" is not available on QEMU (only "serial")`);
  }
  if (vm.kernel === '' || vm.initramfs === '') {
    throw new HvbError('invalid-vm-spec', `VM "${vm.name}": kernel and initramfs paths are required`);
  }
  const machine = machineFor(vm, options);
  const boardArgs = [
    ...(machine.kernelArgs?.({ accel: options.accel, ...(options.hostTscKhz === undefined ? {} : { hostTscKhz: options.hostTscKhz }) }) ?? []),
    // Under TCG, every board's guest is told the host's TSC rate when the launch knows it (host-tsc.ts).
    ...(options.accel === 'tcg' && options.hostTscKhz !== undefined ? tcgTscKernelArgs(options.hostTscKhz) : []),
  ];
  const append = kernelCommandLine(vm.cmdline, boardArgs);
  const shares = shareArgv(vm.shares ?? [], {
    machine,
    memoryMiB: vm.memoryMiB,
    ...(options.virtiofsSocket ? { virtiofsSocket: options.virtiofsSocket } : {}),
  });
  const machineArg = [machine.machineArg, ...shares.machineOptions].join(',');
  return [
    ...qemuBaseArgv({ ...options, machine: machineArg, vcpus: vm.vcpus, memoryMiB: vm.memoryMiB }),
    '-kernel',
    vm.kernel,
    '-initrd',
    vm.initramfs,
    '-append',
    append,
    ...diskArgv(vm.disks, { cache: options.diskCache ?? QEMU_DEFAULTS.diskCache, machine }),
    ...nicArgv(vm.nics, { vhostNet: options.vhostNet === true, machine }),
    ...shares.argv,
  ];
}

/** The board a VM boots on: its spec's variant, else the `machine` option, else `pc`. */
export function machineFor(vm: Pick<VmSpec, 'variant'>, options: Pick<QemuArgvOptions, 'machine'>): QemuMachine {
  return machineOf(vm.variant ?? options.machine);
}

/**
 * Everything but the guest payload: binary, board, accelerator, CPUs, memory, no default
 * devices, the serial console on stdout and QMP. Exported so a test can start a QEMU
 * without a kernel (SeaBIOS then waits for a boot device forever).
 */
export function qemuBaseArgv(options: QemuArgvOptions & { vcpus: number; memoryMiB: number }): string[] {
  const { vcpus, memoryMiB, qmpSocket } = options;
  if (options.vhostNet === true && options.accel !== 'kvm') {
    // vhost-net signals the guest through KVM's irqfd; without KVM it has nothing to drive.
    throw new HvbError('invalid-argument', `vhost-net needs the KVM accelerator, not ${options.accel}`);
  }
  if (!Number.isInteger(vcpus) || vcpus < 1) {
    throw new HvbError('invalid-vm-spec', `vCPUs must be a whole number of at least 1, got ${vcpus}`);
  }
  if (!Number.isInteger(memoryMiB) || memoryMiB < 16) {
    throw new HvbError('invalid-vm-spec', `memory must be a whole number of MiB, at least 16, got ${memoryMiB}`);
  }
  if (qmpSocket.includes(',')) {
    // `-qmp unix:PATH,server=on` cannot escape a comma in PATH.
    throw new HvbError('invalid-argument', `QMP socket path must not contain a comma: "${qmpSocket}"`);
  }
  const accel = options.accel === 'tcg' && vcpus > 1 ? 'tcg,thread=multi' : options.accel;
  return [
    ...qemuBoard({
      binary: options.binary ?? QEMU_DEFAULTS.binary,
      machine: options.machine ?? QEMU_DEFAULTS.machine,
      accel,
      cpu: options.cpu ?? QEMU_DEFAULTS.cpu,
      smp: vcpus,
      memory: `${memoryMiB}M`,
    }),
    // After a guest poweroff QEMU stays alive and paused, so its exact usage can be read.
    '-no-reboot',
    '-no-shutdown',
    '-chardev',
    'stdio,id=con0,signal=off',
    '-serial',
    'chardev:con0',
    '-qmp',
    `unix:${qmpSocket},server=on,wait=off`,
  ];
}

/**
 * The `-append` value: the spec's command line, the words the board needs (QemuMachine.kernelArgs)
 * and the serial console, validated.
 */
export function kernelCommandLine(cmdline: string, boardArgs: readonly string[] = []): string {
  if (/[\n\r\0]/.test(cmdline)) {
    throw new HvbError('invalid-cmdline', 'kernel command line must be one line (it contains a newline or NUL)');
  }
  const full = [cmdline.trim(), ...boardArgs, `console=${SERIAL_CONSOLE}`].filter((w) => w !== '').join(' ');
  const bytes = Buffer.byteLength(full, 'utf8');
  if (bytes > MAX_KERNEL_CMDLINE_BYTES) {
    throw new HvbError(
      'invalid-cmdline',
      `kernel command line is ${bytes} bytes; x86 Linux accepts at most ${MAX_KERNEL_CMDLINE_BYTES} (2048 with the final NUL)`,
      { hint: 'shorten the job encoded on the command line' },
    );
  }
  return full;
}

export { escapeQemuOptionValue, QEMU_DISK_MODELS, QEMU_NIC_MODELS, usesVhostNet } from './devices.ts';
