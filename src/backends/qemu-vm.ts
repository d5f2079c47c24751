import { posix } from 'node:path';
import type { Host } from '../hosts/host.ts';
import { HvbError } from '../util/errors.ts';
import type { VmSpec } from './backend.ts';
import { buildQemuArgv, type QemuAccel, type QemuArgvOptions } from './qemu-argv.ts';
import { QemuVm } from './qemu-running-vm.ts';

export { QemuVm };

export const QEMU_START_TIMEOUT_MS = 30_000;
export const QEMU_QUIT_TIMEOUT_MS = 10_000;
/** Unix socket paths hold at most 107 bytes on Linux. */
const MAX_SOCKET_PATH_BYTES = 107;

export interface QemuStartOptions {
  /** Used in the temporary directory's name. */
  name: string;
  /** The accelerator QEMU must confirm; launch fails with `accel-mismatch` otherwise. */
  accel: QemuAccel;
  /** The full argv, given the QMP socket path chosen in the VM's private directory. */
  argv: (qmpSocket: string) => string[];
  /** QMP must answer within this; default 30 s. */
  startTimeoutMs?: number;
  /** After `quit`, QEMU must exit within this or it is killed; default 10 s. */
  quitTimeoutMs?: number;
}

export type QemuLaunchOptions = Omit<QemuArgvOptions, 'qmpSocket'> &
  Pick<QemuStartOptions, 'startTimeoutMs' | 'quitTimeoutMs'>;

/** Boots a VmSpec under QEMU with the given accelerator. */
export function launchQemuVm(host: Host, vm: VmSpec, options: QemuLaunchOptions): Promise<QemuVm> {
  const { startTimeoutMs, quitTimeoutMs, ...argvOptions } = options;
  return startQemu(host, {
    name: vm.name,
    accel: options.accel,
    argv: (qmpSocket) => buildQemuArgv(vm, { ...argvOptions, qmpSocket }),
    ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }),
    ...(quitTimeoutMs === undefined ? {} : { quitTimeoutMs }),
  });
}

/**
 * Starts QEMU in its own process group and private directory, connects QMP, confirms the
 * accelerator from QEMU's own answers, and returns the running VM. On any failure the
 * process group is killed and the directory removed before the error is thrown.
 */
export async function startQemu(host: Host, options: QemuStartOptions): Promise<QemuVm> {
  const dir = await host.makeTempDir(`hvbench-${options.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}-`);
  const socketPath = posix.join(dir, 'qmp.sock');
  let argv: string[];
  try {
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
      throw new HvbError('invalid-argument', `QMP socket path is too long for a unix socket: ${socketPath}`, {
        hint: 'set TMPDIR to a shorter directory',
      });
    }
    argv = options.argv(socketPath);
  } catch (error) {
    await host.removeTree(dir);
    throw error;
  }
  const child = host.spawn(argv, { detached: true, cwd: dir });
  if (child.pid === undefined) {
    const result = await child;
    await host.removeTree(dir);
    throw new HvbError('vmm-spawn-failed', `cannot start ${argv[0]}: ${result.originalMessage ?? result.shortMessage}`, {
      hint: 'install QEMU (Debian: apt-get install qemu-system-x86) or check the binary path',
    });
  }
  const vm = new QemuVm(host, child, child.pid, dir, options.quitTimeoutMs ?? QEMU_QUIT_TIMEOUT_MS);
  try {
    await vm.connect(socketPath, options.accel, options.startTimeoutMs ?? QEMU_START_TIMEOUT_MS);
  } catch (error) {
    await vm.kill(`launch failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  return vm;
}
