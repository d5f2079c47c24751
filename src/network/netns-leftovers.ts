import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { describeError } from '../util/errors.ts';
import type { Host } from '../hosts/host.ts';
import { LocalHost } from '../hosts/local.ts';
import { deleteNetns, listNetns, netnsPids } from './netns.ts';
import { killQuietly, processStart } from '../util/proc.ts';
import { ownerAlive, parseNetworkName, type Owner } from './netns-owner.ts';
import { PEER_ROOT_PREFIX } from './peer-root.ts';
import { defaultStateDir, readNetworkStates, removeNetworkState, type NetworkState } from './peer-state.ts';

/** A network whose owner is gone: what is left of it on the machine. */
export interface Leftover {
  name: string;
  owner: Owner;
  /** The namespace, when it still exists. */
  netns: string | undefined;
  /** Peers recorded in the state file (started outside the namespace in user mode). */
  peers: { pid: number; start: number }[];
  tempDir: string | undefined;
  hasState: boolean;
}

/**
 * Leftovers among the namespaces that exist and the state files found. Only names made by
 * hvbench (`hvb-<pid>-<start>-<tag>`) are considered, and only when their owner is gone:
 * a namespace of a run still going on, or any other `hvb-` name, is left alone.
 */
export function findLeftovers(netns: readonly string[], states: readonly NetworkState[], alive: (owner: Owner) => boolean): Leftover[] {
  const found = new Map<string, Leftover>();
  const existing = new Set(netns);
  for (const s of states) {
    if (alive(s.owner)) continue;
    const ns = s.netns !== undefined && existing.has(s.netns) && parseNetworkName(s.netns) ? s.netns : undefined;
    // Only a peer root hvbench made is ever removed, whatever a state file says.
    const tempDir = s.tempDir !== undefined && basename(s.tempDir).startsWith(PEER_ROOT_PREFIX) ? s.tempDir : undefined;
    found.set(s.name, { name: s.name, owner: s.owner, netns: ns, peers: s.peers, tempDir, hasState: true });
  }
  for (const name of netns) {
    const owner = parseNetworkName(name);
    if (!owner || alive(owner) || found.has(name)) continue;
    found.set(name, { name, owner, netns: name, peers: [], tempDir: undefined, hasState: false });
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

export interface CleanLeftoversOptions {
  /** The local machine. Default: a LocalHost. */
  host?: Host;
  stateDir?: string;
  /** For tests: whether an owner still runs, a process's start time, and how to kill. */
  alive?: (owner: Owner) => boolean;
  startOf?: (pid: number) => number | undefined;
  kill?: (pid: number) => void;
}

export interface CleanReport {
  removed: Leftover[];
  /** What could not be removed, one line each (e.g. a namespace without root). */
  problems: string[];
}

/**
 * Removes what crashed or killed hvbench processes left: their peer processes (killed only
 * when pid and start time both match the record), their namespaces with everything still
 * running inside (the tap goes with the namespace), peer roots and state files. Call it
 * once at start, before opening networks.
 */
export async function cleanLeftovers(options: CleanLeftoversOptions = {}): Promise<CleanReport> {
  const host = options.host ?? new LocalHost();
  const stateDir = options.stateDir ?? defaultStateDir();
  const alive = options.alive ?? ownerAlive;
  const startOf = options.startOf ?? processStart;
  const kill = options.kill ?? killQuietly;
  const { states } = readNetworkStates(stateDir);
  const leftovers = findLeftovers(await listNetns(host), states, alive);
  const report: CleanReport = { removed: [], problems: [] };
  for (const left of leftovers) {
    try {
      for (const peer of left.peers) if (startOf(peer.pid) === peer.start) kill(peer.pid);
      if (left.netns !== undefined) {
        for (const pid of await netnsPids(host, left.netns)) kill(pid);
        await deleteNetns(host, left.netns);
      }
      if (left.tempDir !== undefined) await rm(left.tempDir, { recursive: true, force: true });
      if (left.hasState) removeNetworkState(stateDir, left.name);
      report.removed.push(left);
    } catch (error) {
      report.problems.push(`${left.name}: ${describeError(error)}`);
    }
  }
  return report;
}
