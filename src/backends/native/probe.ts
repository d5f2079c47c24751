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
 * Where `unshare` and `chroot` are on another host: the first executable of each name on its
 * PATH or in the usual sbin folders, found by a fixed sh fragment (names go in as arguments).
 */
export async function findNativeToolsOn(host: Host): Promise<NativeTools | { missing: string[] }> {
  if (host.kind === 'local') return findNativeTools();
  const script =
    'for n in "$@"; do p=; IFS=:; for d in $PATH:/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin; do ' +
    'if [ -n "$d" ] && [ -x "$d/$n" ]; then p=$d/$n; break; fi; done; unset IFS; echo "$n=$p"; done';
  const r = await host.exec(['sh', '-c', script, 'hvb-find', 'unshare', 'chroot'], { timeoutMs: 30_000 });
  const found = new Map(r.stdout.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).trim()] as const));
  const unshare = found.get('unshare');
  const chroot = found.get('chroot');
  if (unshare && chroot) return { unshare, chroot };
  return { missing: [...(unshare ? [] : ['unshare (Debian: util-linux)']), ...(chroot ? [] : ['chroot (Debian: coreutils)'])] };
}

/**
 * Can native runs work on `host`? Needs root (mount and PID namespaces, chroot, mounting
 * proc/sysfs/devtmpfs), the two programs, and a canary: entering empty namespaces the way a
 * run does (util-linux unshare's `--kill-child`; busybox's unshare has no such option) and
 * chroot "/" must succeed (it fails, e.g., in a container without CAP_SYS_ADMIN). On another
 * host the image root is sent there and unpacked (remote-root.ts).
 */
export async function probeNative(host: Host, uid?: number): Promise<Capability> {
  const no = (reason: string, hint?: string): Capability => ({ backend: 'native', available: false, reason, facts: {}, ...(hint ? { hint } : {}) });
  const user = uid ?? (host.kind === 'local' ? process.getuid?.() : await remoteUid(host));
  if (user !== 0)
    return no(`needs root to create mount and PID namespaces and chroot (running as uid ${user ?? 'unknown'})`, 'run hvbench as root (e.g. with sudo)');
  const tools = await findNativeToolsOn(host);
  if ('missing' in tools) return no(`missing ${tools.missing.join(' and ')}`, 'apt-get install util-linux coreutils');
  const canary = await host.exec([tools.unshare, '--mount', '--pid', '--fork', '--kill-child', '--', tools.chroot, '/', 'true'], { timeoutMs: 30_000 });
  if (canary.exitCode !== 0) {
    return no(
      `cannot enter new mount and PID namespaces: ${tools.unshare} exited with ${canary.exitCode}: ${canary.stderr.trim().split('\n').at(-1) ?? ''}`,
      "native runs need util-linux's unshare, CAP_SYS_ADMIN and CAP_SYS_CHROOT (not available in most containers)",
    );
  }
  const version = await host.exec([tools.unshare, '--version'], { timeoutMs: 30_000 });
  const unshareVersion = /(\d+\.\d+(?:\.\d+)?)/.exec(version.stdout)?.[1] ?? 'unknown';
  const kernel = host.kind === 'local' ? release() : (await host.exec(['uname', '-r'], { timeoutMs: 30_000 })).stdout.trim() || 'unknown';
  const where = host.kind === 'local' ? 'this host' : `host ${host.name}`;
  return {
    backend: 'native',
    available: true,
    reason: `root, unshare ${unshareVersion} and chroot work: the image's binaries run on ${where}'s kernel ${kernel}, unconfined (all its CPUs and memory)`,
    facts: { unshare: unshareVersion, hostKernel: kernel },
  };
}

async function remoteUid(host: Host): Promise<number | undefined> {
  const r = await host.exec(['id', '-u'], { timeoutMs: 30_000 });
  const uid = Number(r.stdout.trim());
  return r.exitCode === 0 && r.stdout.trim() !== '' && Number.isInteger(uid) ? uid : undefined;
}
