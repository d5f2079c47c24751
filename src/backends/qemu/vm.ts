import { posix } from 'node:path';
import type { Host } from '../../hosts/host.ts';
import { HvbError } from '../../util/errors.ts';
import type { VmSpec } from '../common/backend.ts';
import { startedVmm } from '../common/vmm-spawn.ts';
import { buildQemuArgv, machineFor, type QemuAccel, type QemuArgvOptions } from './argv.ts';
import { hostTscKhz, trustedHostTscKhz } from '../common/host-tsc.ts';
import type { QemuMachine } from './machine.ts';
import { pinQemuVm } from './pinning.ts';
import { QemuVm, type VmCompanion } from './running-vm.ts';
import { probeVirtiofsd, startVirtiofsd, VIRTIOFSD_FACT, VIRTIOFSD_SOCKET } from './virtiofsd.ts';

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
  /**
   * The full argv, given the QMP socket path and the pid file path chosen in the VM's
   * private directory (on the host the VM runs on). On a remote host QEMU must write its
   * pid there (`-pidfile`): the local process is ssh, not QEMU.
   */
  argv: (qmpSocket: string, pidFile: string) => string[];
  /**
   * A process QEMU needs running before it starts (virtiofsd), started in the VM's private
   * folder; stopped when the VM has ended, or when QEMU does not start.
   */
  companion?: (dir: string) => Promise<VmCompanion>;
  /** QMP must answer within this; default 30 s. */
  startTimeoutMs?: number;
  /** After `quit`, QEMU must exit within this or it is killed; default 10 s. */
  quitTimeoutMs?: number;
}

export type QemuLaunchOptions = Omit<QemuArgvOptions, 'qmpSocket'> & Pick<QemuStartOptions, 'startTimeoutMs' | 'quitTimeoutMs'>;

/**
 * Boots a VmSpec under QEMU with the given accelerator. The kernel and initramfs paths are
 * local files; the host makes them available where QEMU runs (a remote host copies them once
 * into its cache, the local host uses them in place).
 */
export async function launchQemuVm(host: Host, vm: VmSpec, options: QemuLaunchOptions): Promise<QemuVm> {
  const { startTimeoutMs, quitTimeoutMs, ...argvOptions } = options;
  const [kernel, initramfs] = await Promise.all([placeFile(host, vm.kernel), placeFile(host, vm.initramfs)]);
  const placed: VmSpec = { ...vm, kernel, initramfs };
  // Under TCG the guest is told the host's TSC rate, read here where QEMU runs: a board that
  // cannot boot without it (microvm) fails without it, the others get it where the host's TSC is trusted.
  const board = argvOptions.hostTscKhz === undefined && options.accel === 'tcg' ? await tcgTsc(host, machineFor(vm, argvOptions)) : {};
  const virtiofs = (vm.shares ?? []).filter((s) => s.model === 'virtiofs');
  if (virtiofs.length > 1) throw new HvbError('invalid-vm-spec', `VM "${vm.name}": one virtiofs share per VM, not ${virtiofs.length}`);
  const companion = virtiofs[0] === undefined ? undefined : await virtiofsdFor(host, virtiofs[0].path);
  const running = await startQemu(host, {
    name: vm.name,
    accel: options.accel,
    argv: (qmpSocket, pidFile) => [
      ...buildQemuArgv(placed, { ...argvOptions, ...board, qmpSocket, virtiofsSocket: () => posix.join(posix.dirname(qmpSocket), VIRTIOFSD_SOCKET) }),
      '-pidfile',
      pidFile,
    ],
    ...(companion ? { companion } : {}),
    ...(startTimeoutMs === undefined ? {} : { startTimeoutMs }),
    ...(quitTimeoutMs === undefined ? {} : { quitTimeoutMs }),
  });
  // Pinned while the guest boots, before the agent runs the measured steps.
  if (vm.pinning) await pinQemuVm(host, running, vm.pinning);
  if (vm.countEvents) await running.openEventSource(vm.countEvents.source);
  return running;
}

/** Starts the virtiofsd of a share in the VM's folder: the first of the known paths that answers on the VMM's host. */
async function virtiofsdFor(host: Host, folder: string): Promise<(dir: string) => Promise<VmCompanion>> {
  const found = await probeVirtiofsd(host);
  const binary = found[VIRTIOFSD_FACT] ?? '';
  if (!binary.startsWith('/')) throw new HvbError('virtiofsd', `a virtiofs share needs virtiofsd on ${host.name}: ${binary.replace(/^no: /, '')}`);
  return (dir) => startVirtiofsd(host, binary, dir, folder);
}

/** An empty path stays empty, so buildQemuArgv reports the missing file. */
function placeFile(host: Host, localPath: string): Promise<string> {
  return localPath === '' ? Promise.resolve('') : host.putFile(localPath);
}

/**
 * Starts QEMU in its own process group and private directory, connects QMP, confirms the
 * accelerator from QEMU's own answers, and returns the running VM. On any failure the
 * process group is killed and the directory removed before the error is thrown.
 *
 * On the local host the spawned process is QEMU itself. On a remote host it is the local
 * ssh carrying QEMU; QEMU's own pid (for /proc usage and its process group) is read from
 * its pid file once QMP answers.
 */
export async function startQemu(host: Host, options: QemuStartOptions): Promise<QemuVm> {
  const dir = await host.makeTempDir(`hvbench-${options.name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}-`);
  const socketPath = posix.join(dir, 'qmp.sock');
  const pidFile = posix.join(dir, 'qemu.pid');
  let argv: string[];
  let companion: VmCompanion | undefined;
  try {
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
      throw new HvbError('invalid-argument', `QMP socket path is too long for a unix socket: ${socketPath}`, {
        hint: 'set TMPDIR to a shorter directory',
      });
    }
    argv = options.argv(socketPath, pidFile);
    companion = await options.companion?.(dir);
  } catch (error) {
    await host.removeTree(dir);
    throw error;
  }
  const child = await startedVmm(
    host.spawn(argv, { detached: true, forwardStdin: true, cwd: dir }),
    argv[0]!,
    async () => {
      await companion?.stop();
      await host.removeTree(dir);
    },
    'install QEMU (Debian: apt-get install qemu-system-x86) or check the binary path',
  );
  const local = host.kind === 'local';
  const vm = new QemuVm(host, child, {
    ...(local ? { vmmPid: child.pid } : { pidFile }),
    tempDir: dir,
    quitTimeoutMs: options.quitTimeoutMs ?? QEMU_QUIT_TIMEOUT_MS,
    ...(companion ? { companion } : {}),
  });
  try {
    await vm.connect(socketPath, options.accel, options.startTimeoutMs ?? QEMU_START_TIMEOUT_MS);
  } catch (error) {
    await vm.kill(`launch failed: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  return vm;
}

/** The TSC rate a TCG guest on `machine` is told, if any (QemuArgvOptions.hostTscKhz). */
async function tcgTsc(host: Host, machine: QemuMachine): Promise<{ hostTscKhz?: number }> {
  if (machine.needsHostTsc?.('tcg') === true) return { hostTscKhz: await hostTscKhz(host) };
  const khz = await trustedHostTscKhz(host);
  return khz === undefined ? {} : { hostTscKhz: khz };
}
