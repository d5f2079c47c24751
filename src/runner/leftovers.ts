import os from 'node:os';
import type { Backend, BackendLeftover, LeftoverFinder } from '../backends/common/backend.ts';
import { backends as registry } from '../backends/registry.ts';
import { findCacheTemps, removeCacheTemp } from '../guest/cache-temps.ts';
import { defaultCacheDir } from '../guest/cache.ts';
import type { Host } from '../hosts/host.ts';
import { LocalHost } from '../hosts/local.ts';
import { cleanLeftovers, findLeftovers, type Leftover } from '../network/netns-leftovers.ts';
import { listNetns } from '../network/netns.ts';
import { ownerAlive } from '../network/netns-owner.ts';
import { defaultStateDir, readNetworkStates } from '../network/peer-state.ts';
import { clearCrashedRun, findCrashedRuns, type CrashedRun } from '../results/crashed-runs.ts';
import { defaultTuningStateDir, orphanedRestoreRecords, type RestoreRecord } from '../tuning/restore-record.ts';
import { restoreOrphan } from '../tuning/restore-orphan.ts';
import type { SkippedLeftover } from '../util/not-mine.ts';

/**
 * Everything hvbench processes killed without a chance to clean up (SIGKILL, a power cut)
 * leave on this machine, gathered for `doctor` (lists) and `clean` (removes). Each part is
 * found by the module that makes it:
 *
 * - what a backend's VMMs leave (QEMU processes and their folders): the backend's own
 *   LeftoverFinder (`Backend.leftovers`);
 * - networks: namespaces and peers of owners that are gone (network/netns-leftovers.ts);
 * - runs whose writer is gone, and their scratch disks (results/crashed-runs.ts);
 * - temporaries of builds and downloads cut short in the cache (guest/cache-temps.ts);
 * - host settings `run --stabilize` changed and could not put back (tuning/restore-record.ts):
 *   "removing" them writes the previous values back.
 *
 * Nothing is touched unless it carries hvbench's mark and its owner is provably gone; what
 * carries the mark but is another user's, or a link, is listed in `skipped` with the reason.
 */
export interface LeftoverReport {
  /** What the backends' finders found, in the order it is removed (a process before its folder). */
  backends: BackendLeftover[];
  networks: Leftover[];
  runs: CrashedRun[];
  cacheTemps: string[];
  /** Restore records of stabilised runs whose owner is gone (absent: none looked for). */
  tuning?: RestoreRecord[];
  /** Left alone: another user's, or a link (absent: nothing skipped). */
  skipped?: SkippedLeftover[];
}

export interface FindOptions {
  resultsDir: string;
  /** Whose leftovers to look for. Default: every backend of the registry. */
  backends?: readonly Backend[];
  /** Default: defaultCacheDir(). */
  cacheDir?: string;
  /** Where VMMs make their folders. Default: os.tmpdir(). */
  tmpDir?: string;
  host?: Host;
  stateDir?: string;
  /** Where `run --stabilize` keeps its restore records. Default: defaultTuningStateDir(). */
  tuningStateDir?: string;
}

/** Each finder once: backends of one family (tcg and kvm) share theirs. */
function findersOf(list: readonly Backend[]): LeftoverFinder[] {
  return [...new Set(list.flatMap((b) => (b.leftovers ? [b.leftovers] : [])))];
}

/** Finds everything listed above; changes nothing. */
export async function findAllLeftovers(o: FindOptions): Promise<LeftoverReport> {
  const tmpDir = o.tmpDir ?? os.tmpdir();
  const now = Date.now();
  const skipped: SkippedLeftover[] = [];
  const found: BackendLeftover[] = [];
  for (const finder of findersOf(o.backends ?? Object.values(registry))) {
    const r = await finder.find({ tmpDir, now });
    found.push(...r.found);
    skipped.push(...r.skipped);
  }
  const host = o.host ?? new LocalHost();
  const networks = findLeftovers(await listNetns(host).catch(() => []), readNetworkStates(o.stateDir ?? defaultStateDir()).states, ownerAlive);
  const runs = await findCrashedRuns(o.resultsDir, skipped);
  const cacheTemps = await findCacheTemps(o.cacheDir ?? defaultCacheDir(), now, skipped);
  const tuning = orphanedRestoreRecords(o.tuningStateDir ?? defaultTuningStateDir());
  return { backends: found, networks, runs, cacheTemps, ...(tuning.length > 0 ? { tuning } : {}), skipped };
}

/** Removes what findAllLeftovers found (each thing checked again just before): what went, and what could not. */
export async function removeLeftovers(r: LeftoverReport, o: FindOptions): Promise<{ removed: string[]; problems: string[] }> {
  const removed: string[] = [];
  const problems: string[] = [];
  const note = (outcome: { removed?: string; problem?: string }) => {
    if (outcome.removed !== undefined) removed.push(outcome.removed);
    if (outcome.problem !== undefined) problems.push(outcome.problem);
  };
  for (const leftover of r.backends) note(await leftover.remove());
  if (r.networks.length > 0) {
    const report = await cleanLeftovers({ ...(o.host ? { host: o.host } : {}), ...(o.stateDir ? { stateDir: o.stateDir } : {}) });
    removed.push(...report.removed.map((n) => `network ${n.name}${n.netns ? ` (namespace ${n.netns})` : ''}`));
    problems.push(...report.problems);
  }
  for (const run of r.runs) {
    const outcome = await clearCrashedRun(run);
    removed.push(...outcome.removed);
    if (outcome.problem !== undefined) problems.push(outcome.problem);
  }
  for (const temp of r.cacheTemps) note(await removeCacheTemp(temp));
  for (const record of r.tuning ?? []) note(await restoreOrphan(record, o.tuningStateDir ?? defaultTuningStateDir(), o.host ?? new LocalHost()));
  return { removed, problems };
}
