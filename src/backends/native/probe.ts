import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { release } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Host } from '../../hosts/host.ts';
import type { Capability } from '../common/backend.ts';

/** Where the native backend finds its two host programs. */
export interface NativeTools {
  unshare: string;
  chroot: string;
}

const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];

/** The first executable `name` on PATH or in the usual sbin folders (chroot lives in /usr/sbin). */
export async function findProgram(name: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of [...path.split(delimiter).filter(Boolean), ...SBIN]) {
    const candidate = join(dir, name);
    if (
      await access(candidate, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return undefined;
}

export async function findNativeTools(): Promise<NativeTools | { missing: string[] }> {
  const [unshare, chroot] = await Promise.all([findProgram('unshare'), findProgram('chroot')]);
  if (unshare && chroot) return { unshare, chroot };
  return { missing: [...(unshare ? [] : ['unshare (Debian: util-linux)']), ...(chroot ? [] : ['chroot (Debian: coreutils)'])] };
}

/**
 * Can native runs work here? Needs the local host, root (mount and PID namespaces,
 * chroot, mounting proc/sysfs/devtmpfs), the two programs, and a canary: entering empty
 * namespaces and chroot "/" must succeed (it fails, e.g., in a container without CAP_SYS_ADMIN).
 */
export async function probeNative(host: Host, uid: number | undefined = process.getuid?.()): Promise<Capability> {
  const no = (reason: string, hint?: string): Capability => ({ backend: 'native', available: false, reason, facts: {}, ...(hint ? { hint } : {}) });
  if (host.kind !== 'local') return no(`native runs work on the local host only, not on ${host.kind} host ${host.name}`);
  if (uid !== 0)
    return no(`needs root to create mount and PID namespaces and chroot (running as uid ${uid ?? 'unknown'})`, 'run hvbench as root (e.g. with sudo)');
  const tools = await findNativeTools();
  if ('missing' in tools) return no(`missing ${tools.missing.join(' and ')}`, 'apt-get install util-linux coreutils');
  const canary = await host.exec([tools.unshare, '--mount', '--pid', '--fork', '--kill-child', '--', tools.chroot, '/', 'true'], { timeoutMs: 10_000 });
  if (canary.exitCode !== 0) {
    return no(
      `cannot enter new mount and PID namespaces: unshare exited with ${canary.exitCode}: ${canary.stderr.trim().split('\n').at(-1) ?? ''}`,
      'native runs need CAP_SYS_ADMIN and CAP_SYS_CHROOT (not available in most containers)',
    );
  }
  const version = await host.exec([tools.unshare, '--version'], { timeoutMs: 10_000 });
  const unshareVersion = /(\d+\.\d+(?:\.\d+)?)/.exec(version.stdout)?.[1] ?? 'unknown';
  const kernel = release();
  return {
    backend: 'native',
    available: true,
    reason: `root, unshare ${unshareVersion} and chroot work: the image's binaries run on this host's kernel ${kernel}, unconfined (all host CPUs and memory)`,
    facts: { unshare: unshareVersion, hostKernel: kernel },
  };
}
