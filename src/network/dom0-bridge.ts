import { randomBytes } from 'node:crypto';
import { HvbError } from '../util/errors.ts';
import type { Host } from '../hosts/host.ts';
import { parseProcNet } from './peer-sockets.ts';

/**
 * The bridges hvbench makes in a Xen dom0 for network cases (see docs/network.md). Each
 * case gets its own bridge, `hvbbr-` and 6 hex digits, with the peers' address on it and
 * nothing else: no physical port, no route beyond its /30 block, so the guest's vif (which
 * the vif-bridge hotplug script adds) can reach the peers in dom0 and nothing else.
 */
export const DOM0_BRIDGE_PREFIX = 'hvbbr-';
const BRIDGE = /^hvbbr-[0-9a-f]{6}$/;
/** Blocks are /30s inside this /16, chosen so that none is in use on the dom0 yet. */
const BLOCK_BASE = [10, 214] as const;
export const DOM0_PREFIX_LENGTH = 30;

export interface Dom0Block {
  peer: string;
  guest: string;
}

export function bridgeName(random: string = randomBytes(3).toString('hex')): string {
  const name = `${DOM0_BRIDGE_PREFIX}${random}`;
  if (!BRIDGE.test(name)) throw new HvbError('invalid-argument', `bridge name "${name}" is not an hvbench bridge name`);
  return name;
}

/** Interface name → IPv4 addresses, from `ip -o -4 addr show` (busybox and iproute2 print the same). */
export function parseIpv4Addresses(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+(\S+?)(?:@\S+)?\s+inet\s+(\d+\.\d+\.\d+\.\d+)\/\d+/.exec(line);
    if (!m) continue;
    const list = found.get(m[1]!) ?? [];
    list.push(m[2]!);
    found.set(m[1]!, list);
  }
  return found;
}

/** Interface names from `ip -o link show` (`3: name: <FLAGS> …`, `4: vif1.0@if2: …`). */
export function parseLinkNames(text: string): string[] {
  return text.split('\n').flatMap((line) => {
    const m = /^\d+:\s+([^:@\s]+)(?:@\S+)?:/.exec(line);
    return m ? [m[1]!] : [];
  });
}

/** A /30 of 10.214.0.0/16 whose addresses no interface of the dom0 has; `pick` chooses among the free ones. */
export function freeBlock(used: ReadonlySet<string>, pick: (n: number) => number = (n) => randomBytes(4).readUInt32BE() % n): Dom0Block {
  const blocks = 256 * 64;
  const start = pick(blocks);
  for (let i = 0; i < blocks; i++) {
    const b = (start + i) % blocks;
    const third = Math.floor(b / 64);
    const fourth = (b % 64) * 4;
    const peer = `${BLOCK_BASE.join('.')}.${third}.${fourth + 1}`;
    const guest = `${BLOCK_BASE.join('.')}.${third}.${fourth + 2}`;
    if (!used.has(peer) && !used.has(guest)) return { peer, guest };
  }
  throw new HvbError('net-no-block', `every /30 of ${BLOCK_BASE.join('.')}.0.0/16 is in use on the dom0`);
}

async function must(host: Host, argv: string[], what: string): Promise<string> {
  const r = await host.exec(argv, { timeoutMs: 30_000 });
  if (r.exitCode !== 0)
    throw new HvbError('net-bridge', `${what} on ${host.name} failed (${argv.join(' ')}, exit ${r.exitCode}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/**
 * A bridge on whose address nothing listens is another run's that is still starting its
 * peers while it is younger than this (its mark, the dom0's clock at creation, in the
 * interface's alias); older, or without a mark, it is a killed run's.
 */
export const STALE_BRIDGE_AGE_S = 600;
const MARK = /^hvbench-(\d{1,12})$/;

/**
 * Creates the bridge, marked with the dom0's clock, with the peers' address, and brings it
 * up; removes it again if a step fails.
 */
export async function createBridge(host: Host, name: string, block: Dom0Block): Promise<void> {
  await must(host, ['ip', 'link', 'add', 'name', name, 'type', 'bridge'], `creating bridge ${name}`);
  try {
    await must(host, ['sh', '-c', 'date +hvbench-%s >"/sys/class/net/$1/ifalias"', 'sh', name], `marking bridge ${name}`);
    await must(host, ['ip', 'addr', 'add', `${block.peer}/${DOM0_PREFIX_LENGTH}`, 'dev', name], `addressing bridge ${name}`);
    await must(host, ['ip', 'link', 'set', name, 'up'], `bringing bridge ${name} up`);
  } catch (error) {
    await deleteBridge(host, name);
    throw error;
  }
}

/** Removes a bridge; one that is already gone is fine. Never throws. */
export async function deleteBridge(host: Host, name: string): Promise<void> {
  if (!BRIDGE.test(name)) return;
  await host.exec(['ip', 'link', 'del', name], { timeoutMs: 30_000 }).catch(() => undefined);
}

/** Every IPv4 address in use on the dom0. */
export async function usedAddresses(host: Host): Promise<Map<string, string[]>> {
  return parseIpv4Addresses(await must(host, ['ip', '-o', '-4', 'addr', 'show'], 'listing addresses'));
}

/**
 * Ages in seconds of the bridges named in the output of `date +%s` followed by one
 * `<bridge> <alias>` line per bridge; undefined for a bridge without an hvbench mark.
 */
export function bridgeAges(text: string): Map<string, number | undefined> {
  const [first = '', ...lines] = text.split('\n');
  const now = /^\d{1,12}$/.test(first.trim()) ? Number(first.trim()) : undefined;
  const ages = new Map<string, number | undefined>();
  for (const line of lines) {
    const [name = '', alias = ''] = line.trim().split(/\s+/);
    if (!BRIDGE.test(name)) continue;
    const mark = MARK.exec(alias);
    ages.set(name, mark && now !== undefined ? now - Number(mark[1]) : undefined);
  }
  return ages;
}

/**
 * hvbench bridges left by a run that was killed: an `hvbbr-` bridge on whose address no
 * peer listens (a live network's peers listen from the moment they start, see
 * dom0-network.ts) and that is older than STALE_BRIDGE_AGE_S or unmarked, so that another
 * run's bridge whose peers are still starting is left alone. Returns the names removed.
 */
export async function removeStaleBridges(host: Host, addresses: Map<string, string[]>): Promise<string[]> {
  const bridges = parseLinkNames(await must(host, ['ip', '-o', 'link', 'show'], 'listing links')).filter((n) => BRIDGE.test(n));
  if (bridges.length === 0) return [];
  const listening = new Set(
    parseProcNet(await must(host, ['cat', '/proc/net/tcp'], 'reading the TCP sockets'))
      .filter((s) => s.state === 0x0a)
      .map((s) => s.address),
  );
  const silent = bridges.filter((b) => !(addresses.get(b) ?? []).some((a) => listening.has(a)));
  if (silent.length === 0) return [];
  const script = 'date +%s; for b do echo "$b $(cat "/sys/class/net/$b/ifalias" 2>/dev/null)"; done';
  const ages = bridgeAges(await must(host, ['sh', '-c', script, 'sh', ...silent], "reading the bridges' marks"));
  const stale = silent.filter((b) => {
    const age = ages.get(b);
    return age === undefined || Math.abs(age) >= STALE_BRIDGE_AGE_S;
  });
  for (const b of stale) await deleteBridge(host, b);
  return stale;
}
