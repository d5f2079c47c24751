import type { LeftoverReport } from '../runner/leftovers.ts';
import { describeRestoreRecord } from '../tuning/restore-orphan.ts';

/**
 * How `doctor` and `clean` show what killed runs left behind (runner/leftovers.ts finds
 * and removes it): one line per leftover, and with `doctor --json` its facts.
 */

/**
 * One leftover as `doctor --json` reports it: its kind (`qemu-process`, `vm-folder`,
 * `network`, `run`, `cache-temp`…), the line `doctor` and `clean` print (`what`), and the
 * facts behind that line (a backend's leftovers bring their own).
 */
export interface LeftoverItem {
  kind: string;
  what: string;
  [fact: string]: string | number | boolean | null | number[];
}

/** Every leftover found, in the order `doctor` lists them. */
export function leftoverItems(r: LeftoverReport): LeftoverItem[] {
  return [
    // kind and what first, and not overridden by a fact of the same name.
    ...r.backends.map((b): LeftoverItem => Object.assign({ kind: b.kind, what: b.what }, b.facts, { kind: b.kind, what: b.what })),
    ...r.networks.map(
      (n): LeftoverItem => ({
        kind: 'network',
        what: `network ${n.name}${n.netns ? ` (namespace ${n.netns})` : ''}${n.peers.length ? `, ${n.peers.length} peer process(es)` : ''}`,
        name: n.name,
        netns: n.netns ?? null,
        peerPids: n.peers.map((p) => p.pid),
        ownerPid: n.owner.pid,
      }),
    ),
    ...r.runs.map(
      (run): LeftoverItem => ({
        kind: 'run',
        what: `run ${run.dir} says "running" but its process ${run.writerPid} is gone${run.scratch ? `; scratch disks in ${run.scratch}` : ''}`,
        path: run.dir,
        id: run.id,
        writerPid: run.writerPid,
        scratch: run.scratch ?? null,
      }),
    ),
    ...r.cacheTemps.map((p): LeftoverItem => ({ kind: 'cache-temp', what: `unfinished cache entry ${p} (a build or download cut short)`, path: p })),
    ...(r.tuning ?? []).map((t): LeftoverItem => ({ kind: 'host-settings', what: describeRestoreRecord(t), host: t.host, ownerPid: t.owner.pid })),
  ];
}

/** One line per leftover, for `doctor` and `clean`. */
export function describeLeftovers(r: LeftoverReport): string[] {
  return leftoverItems(r).map((item) => item.what);
}

/** One line per thing left alone, with the reason, for `clean`. */
export function describeSkipped(r: LeftoverReport): string[] {
  return (r.skipped ?? []).map((s) => `${s.what}: ${s.why}`);
}
