import { posix } from 'node:path';
import type { Host } from '../../hosts/host.ts';
import { HvbError } from '../../util/errors.ts';
import { killProcessGroup } from '../../util/proc-group.ts';
import { settlesWithin } from '../common/settles-within.ts';
import { startedVmm, type StartedProcess } from '../common/vmm-spawn.ts';
import { firstLine } from '../../util/first-line.ts';

/**
 * Where Debian and others install virtiofsd: QEMU 7.2's C daemon in /usr/lib/qemu (Debian
 * 12), the Rust one in /usr/libexec (Fedora, Debian 13's `virtiofsd` package), or on PATH.
 */
export const VIRTIOFSD_PATHS = ['/usr/lib/qemu/virtiofsd', '/usr/libexec/virtiofsd', '/usr/bin/virtiofsd'] as const;
/** The probe fact naming this host's virtiofsd (`/usr/lib/qemu/virtiofsd`), or `no: ` and why. */
export const VIRTIOFSD_FACT = 'virtiofsd';
/** The probe fact with what `virtiofsd --version` says (`7.2.22`). */
export const VIRTIOFSD_VERSION_FACT = 'virtiofsdVersion';
/** The socket's name in the VM's folder (the leftover finder knows it). */
export const VIRTIOFSD_SOCKET = 'virtiofsd.sock';

const PROBE_TIMEOUT_MS = 10_000;
/** virtiofsd must have its socket listening within this. */
const SOCKET_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Finds virtiofsd on `host` by trying the known paths with `--version`: the facts
 * VIRTIOFSD_FACT (its path, or `no: …`) and VIRTIOFSD_VERSION_FACT.
 */
export async function probeVirtiofsd(host: Host): Promise<Record<string, string>> {
  const tried: string[] = [];
  for (const path of VIRTIOFSD_PATHS) {
    const run = await host.exec([path, '--version'], { timeoutMs: PROBE_TIMEOUT_MS }).catch(() => undefined);
    if (run === undefined || run.exitCode === 127 || run.exitCode === 126) continue;
    const version = /virtiofsd(?: version)? v?(\d+\.\d+(?:\.\d+)?)/i.exec(`${run.stdout}\n${run.stderr}`)?.[1];
    if (run.exitCode === 0 && version !== undefined) return { [VIRTIOFSD_FACT]: path, [VIRTIOFSD_VERSION_FACT]: version };
    tried.push(`${path}: ${firstLine(run.stderr || run.stdout) || `exit code ${run.exitCode}`}`);
  }
  const why = tried.length > 0 ? tried.join('; ') : `none of ${VIRTIOFSD_PATHS.join(', ')} exists`;
  return { [VIRTIOFSD_FACT]: `no: ${why}` };
}

/**
 * The daemon's argv: one shared folder, its socket in the VM's folder, caching as virtiofsd
 * chooses (`auto`). Its sandbox is its default, namespaces with pivot_root into the folder,
 * but where the host's root is the initramfs (`rootfs`, as in the labs), on which the kernel
 * refuses pivot_root ("pivot_root(., .): Invalid argument", and QEMU then says
 * "vhost_backend_init failed: Protocol error"): there it is a chroot into the folder.
 */
export function virtiofsdArgv(binary: string, socketPath: string, folder: string, sandbox: VirtiofsdSandbox = 'namespace'): string[] {
  if (folder.includes(',')) {
    // `-o source=` is a comma-separated option list with no escape.
    throw new HvbError('invalid-vm-spec', `virtiofsd cannot share a folder whose path holds a comma: ${folder}`);
  }
  return [binary, `--socket-path=${socketPath}`, '-o', `source=${folder}`, '-o', 'cache=auto', ...(sandbox === 'chroot' ? ['-o', 'sandbox=chroot'] : [])];
}

export type VirtiofsdSandbox = 'namespace' | 'chroot';

/** `chroot` when the root of `/proc/self/mountinfo` is the initramfs (`rootfs`), else `namespace`. */
export function sandboxFor(mountinfo: string): VirtiofsdSandbox {
  for (const line of mountinfo.split('\n')) {
    const [before, after] = line.split(' - ');
    if (before === undefined || after === undefined || before.split(' ')[4] !== '/') continue;
    return after.split(' ')[0] === 'rootfs' ? 'chroot' : 'namespace';
  }
  return 'namespace';
}

/** Local virtiofsd process groups still running; killed synchronously if hvbench exits first. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function trackGroup(pid: number): void {
  liveGroups.add(pid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const group of liveGroups) {
      try {
        killProcessGroup(group);
      } catch {
        // gone, or no longer ours
      }
    }
  });
}

/** A running virtiofsd: what it printed, and how to stop it. */
export interface Virtiofsd {
  socketPath: string;
  /** Everything it printed. */
  log(): string;
  /** Kills its process group (on a remote host: the ssh carrying it, whose end makes the watchdog kill it); idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts virtiofsd for one shared folder, its socket in the VM's folder `dir`, in a process
 * group of its own (like QEMU), and waits until the socket is there. It serves one QEMU and
 * exits when that QEMU disconnects; stop() kills it whatever happened (QEMU never came, a
 * kill), and a local one is killed on hvbench's exit too. The leftover finder knows it by its
 * owner mark and its working folder, the VM's (leftovers.ts).
 */
export async function startVirtiofsd(host: Host, binary: string, dir: string, folder: string): Promise<Virtiofsd> {
  const socketPath = posix.join(dir, VIRTIOFSD_SOCKET);
  const mountinfo = await host.readFile('/proc/self/mountinfo').catch(() => '');
  const argv = virtiofsdArgv(binary, socketPath, folder, sandboxFor(mountinfo));
  const child = await startedVmm(
    host.spawn(argv, { detached: true, cwd: dir }),
    'virtiofsd',
    async () => {},
    'install virtiofsd (Debian 12: qemu-system-common)',
  );
  const local = host.kind === 'local';
  if (local) trackGroup(child.pid);
  let output = '';
  const append = (b: Buffer) => {
    if (output.length < 64_000) output += b.toString('utf8');
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  let stopped: Promise<void> | undefined;
  const daemon: Virtiofsd = {
    socketPath,
    log: () => output,
    stop: () => (stopped ??= stopProcess(child, local)),
  };
  try {
    await waitForSocket(host, child, socketPath, () => output);
  } catch (e) {
    await daemon.stop();
    throw e;
  }
  return daemon;
}

async function stopProcess(child: StartedProcess, local: boolean): Promise<void> {
  try {
    if (local) killProcessGroup(child.pid);
    else child.kill('SIGKILL');
  } catch {
    // already gone
  }
  if (!(await settlesWithin(child.exited, STOP_TIMEOUT_MS))) child.kill('SIGKILL');
  liveGroups.delete(child.pid);
}

async function waitForSocket(host: Host, child: StartedProcess, socketPath: string, said: () => string): Promise<void> {
  let exited = false;
  void child.exited.then(() => (exited = true));
  const deadline = Date.now() + SOCKET_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if ((await host.exec(['test', '-S', socketPath], { timeoutMs: PROBE_TIMEOUT_MS })).exitCode === 0) return;
    if (exited) {
      const exit = await child.exited;
      throw new HvbError(
        'virtiofsd',
        `virtiofsd exited before it listened (exit code ${exit.exitCode ?? exit.signal}): ${firstLine(said()) || 'it said nothing'}`,
        {
          hint: 'virtiofsd (QEMU 7.2) runs as root; check its message',
        },
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new HvbError('virtiofsd', `virtiofsd did not listen on ${socketPath} within ${SOCKET_TIMEOUT_MS / 1000} s: ${firstLine(said()) || 'it said nothing'}`);
}
