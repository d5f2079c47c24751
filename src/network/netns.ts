import { spawnSync } from 'node:child_process';
import { HvbError } from '../util/errors.ts';
import { killQuietly } from '../util/proc.ts';
import type { Host } from '../hosts/host.ts';
import { TAP_PLAN } from './netns-plan.ts';

const IP_TIMEOUT_MS = 10_000;

/**
 * Runs iproute2's `ip` by its path where it has one. A busybox shell (the labs' login
 * shell) runs its own `ip` applet for a bare `ip` whatever PATH says, and busybox's ip has
 * no `ip netns`; a path is executed as the file it names.
 */
const IP_BY_PATH = 'for p in /usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip; do if [ -x "$p" ]; then exec "$p" "$@"; fi; done; exec ip "$@"';

/** The same as a shell function, for the scripts hvbench runs on another host. */
export const IP_FUNCTION = 'ip() { for p in /usr/sbin/ip /sbin/ip /usr/bin/ip /bin/ip; do if [ -x "$p" ]; then "$p" "$@"; return; fi; done; command ip "$@"; }';

/** argv of `ip <args>` on a host: plain on this machine, through IP_BY_PATH on another (it execs in place: pids stay the program's). */
export function ipArgv(host: Pick<Host, 'kind'>, args: readonly string[]): string[] {
  return host.kind === 'local' ? ['ip', ...args] : ['sh', '-c', IP_BY_PATH, 'ip', ...args];
}

/** Runs one `ip` command; a failure names the command and quotes ip's own words. */
async function ip(host: Host, args: string[], what: string): Promise<string> {
  const result = await host.exec(ipArgv(host, args), { timeoutMs: IP_TIMEOUT_MS });
  if (result.exitCode !== 0) {
    throw new HvbError('netns-setup', `${what}: ip ${args.join(' ')} failed (exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`, {
      hint:
        result.exitCode === 127
          ? 'install iproute2 (Debian: apt-get install iproute2)'
          : 'network namespaces and tap devices need root (CAP_NET_ADMIN) and /dev/net/tun; without them use user-mode networking',
    });
  }
  return result.stdout;
}

/**
 * Creates a network namespace holding `lo` and one tap device with the peer's address,
 * both up. QEMU opens the tap by name from inside the namespace; until then the tap has no
 * carrier. On failure the namespace is removed again before the error is thrown.
 *
 * `multiQueue` makes the tap with IFF_MULTI_QUEUE (`ip tuntap … multi_queue`), for a NIC with
 * more than one queue pair: QEMU then opens it once per queue. The kernel refuses an open
 * whose flag differs from the tap's, so a single-queue NIC needs a tap without it.
 */
export async function createNetnsWithTap(host: Host, netns: string, options: { multiQueue?: boolean } = {}): Promise<void> {
  await ip(host, ['netns', 'add', netns], 'creating the network namespace');
  try {
    await ip(host, ['-n', netns, 'link', 'set', 'lo', 'up'], 'bringing up lo in the namespace');
    await ip(host, tapAddArgs(netns, options.multiQueue === true), 'creating the tap device');
    await ip(host, ['-n', netns, 'addr', 'add', `${TAP_PLAN.peer}/${TAP_PLAN.prefixLength}`, 'dev', TAP_PLAN.tap], "giving the tap the peer's address");
    await ip(host, ['-n', netns, 'link', 'set', TAP_PLAN.tap, 'up'], 'bringing up the tap');
  } catch (error) {
    await host.exec(ipArgv(host, ['netns', 'del', netns]), { timeoutMs: IP_TIMEOUT_MS });
    throw error;
  }
}

/** `ip` arguments that make the namespace's tap, with IFF_MULTI_QUEUE when asked. */
export function tapAddArgs(netns: string, multiQueue: boolean): string[] {
  return ['-n', netns, 'tuntap', 'add', 'dev', TAP_PLAN.tap, 'mode', 'tap', ...(multiQueue ? ['multi_queue'] : [])];
}

/** Pids of the processes inside a namespace (`ip netns pids`); empty when it does not exist. */
export async function netnsPids(host: Host, netns: string): Promise<number[]> {
  const result = await host.exec(ipArgv(host, ['netns', 'pids', netns]), { timeoutMs: IP_TIMEOUT_MS });
  return result.exitCode === 0 ? parsePids(result.stdout) : [];
}

export function parsePids(stdout: string): number[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

/**
 * Removes a namespace's name. The namespace itself, with its tap, goes away once no
 * process is left in it: callers stop the peers and the VMM first. A missing namespace is
 * not an error.
 */
export async function deleteNetns(host: Host, netns: string): Promise<void> {
  const result = await host.exec(ipArgv(host, ['netns', 'del', netns]), { timeoutMs: IP_TIMEOUT_MS });
  if (result.exitCode !== 0 && !/No such file|not found|Invalid/i.test(result.stderr)) {
    throw new HvbError('netns-cleanup', `removing network namespace ${netns} failed: ${result.stderr.trim()}`);
  }
}

/** SIGKILL to every process in a namespace, for the way out: synchronous, local, never throws. */
export function killNetnsPidsSync(netns: string): void {
  try {
    const listed = spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8', timeout: IP_TIMEOUT_MS });
    for (const pid of parsePids(listed.stdout ?? '')) killQuietly(pid);
  } catch {
    // Nothing better to do on the way out.
  }
}

/** deleteNetns for the way out (process 'exit'): synchronous, local, never throws. */
export function deleteNetnsSync(netns: string): void {
  try {
    spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore', timeout: IP_TIMEOUT_MS });
  } catch {
    // Nothing better to do on the way out; cleanLeftovers() finds it at the next start.
  }
}

/** Names from `ip netns list`, whose lines look like `hvb-1-2-ab12 (id: 3)` or just the name. */
export function parseNetnsList(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((name) => name !== '');
}

export async function listNetns(host: Host): Promise<string[]> {
  const result = await host.exec(ipArgv(host, ['netns', 'list']), { timeoutMs: IP_TIMEOUT_MS });
  return result.exitCode === 0 ? parseNetnsList(result.stdout) : [];
}
