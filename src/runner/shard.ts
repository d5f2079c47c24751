import { createHash } from 'node:crypto';
import type { ShardRecord } from '../results/run-record.ts';
import { groupKey } from '../stats/interleave.ts';
import type { Case } from '../suite/types.ts';
import { HvbError } from '../util/errors.ts';
import type { Workload } from '../workloads/workload.ts';

/**
 * `hvbench run --shard i/N`: a suite split over N runners (a CI matrix), each running one
 * part into a normal run folder, `hvbench merge` joining them again (src/results/merge.ts).
 *
 * The split is a pure function of the expanded cases and the workloads' own time estimates,
 * so every runner computes the same one without talking to the others. It moves whole
 * groups — the same case on different backends — so that a group's members still take turns
 * on one machine (interleaving) and a comparison of backends within the merged run compares
 * figures measured on the same host.
 */

/** Which part of a split: `index` of `count`, both from 1. */
export interface ShardSpec {
  index: number;
  count: number;
}

/**
 * Seconds counted per repetition for booting the guest and setting it up, on top of what
 * the workload says it needs. Only a weight for balancing the shards, never a timeout.
 */
export const BOOT_ESTIMATE_SEC = 10;

/** Parses `i/N` (the value of `--shard`): integers with 1 ≤ i ≤ N. */
export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const usage = (why: string) =>
    new HvbError('usage', `--shard ${JSON.stringify(text)}: ${why}`, {
      hint: 'Give the part this runner runs and how many parts there are, e.g. --shard 2/4 for the second of four.',
    });
  if (!m) throw usage('expected i/N, two whole numbers such as 1/2');
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count)) throw usage('expected i/N with numbers of a sensible size');
  if (count < 1) throw usage(`expected at least 1 shard, got N = ${count}`);
  if (index < 1 || index > count) throw usage(`expected 1 ≤ i ≤ N, got i = ${index} with N = ${count}`);
  return { index, count };
}

/** One shard's part of a split: its cases in suite order, and what run.json records of it. */
export interface ShardPart {
  cases: Case[];
  record: ShardRecord;
  /** True when the shards were balanced by estimated time (every case had an estimate); false: by case count. */
  byCost: boolean;
}

/**
 * The estimated seconds of a case: each warm-up and measured repetition boots the guest and
 * runs the workload for what it says it needs. Undefined when the workload is unknown or
 * its estimate is not a finite number ≥ 0.
 */
export function estimatedSeconds(c: Case, workloads: Readonly<Record<string, Workload>>): number | undefined {
  const workload = Object.hasOwn(workloads, c.workload) ? workloads[c.workload] : undefined;
  if (!workload) return undefined;
  let each: number;
  try {
    each = workload.expectedSeconds(c.params);
  } catch {
    return undefined;
  }
  if (!Number.isFinite(each) || each < 0) return undefined;
  return (c.warmup + c.repetitions) * (each + BOOT_ESTIMATE_SEC);
}

/**
 * Shard `spec.index` of the split of `cases` into `spec.count` parts. Groups of cases (same
 * workload, parameters and guest on different backends) stay in one shard. The groups go,
 * largest first, each to the shard with the least estimated time so far (the lowest index on
 * a tie); the weight is the estimated seconds when every case has one, else the number of
 * cases. With more shards than groups the last shards are empty. The shard runs its cases in
 * the suite's order.
 */
export function shardCases(cases: readonly Case[], spec: ShardSpec, costOf: (c: Case) => number | undefined): ShardPart {
  const groups = groupsOf(cases);
  const costs = cases.map(costOf);
  const byCost = costs.every((c) => c !== undefined);
  const weight = (g: Group) => g.positions.reduce((sum, p) => sum + (byCost ? (costs[p] as number) : 1), 0);
  const weighted = groups.map((g, order) => ({ g, order, weight: weight(g) }));
  weighted.sort((a, b) => b.weight - a.weight || a.order - b.order);
  const load: number[] = Array.from({ length: spec.count }, () => 0);
  const mine: Group[] = [];
  for (const { g, weight: w } of weighted) {
    let target = 0;
    for (let s = 1; s < load.length; s++) if (load[s]! < load[target]!) target = s;
    load[target] = load[target]! + w;
    if (target === spec.index - 1) mine.push(g);
  }
  const positions = mine.flatMap((g) => g.positions).sort((a, b) => a - b);
  return {
    cases: positions.map((p) => cases[p]!),
    byCost,
    record: {
      index: spec.index,
      count: spec.count,
      groups: mine.length,
      positions,
      of: { cases: cases.length, groups: groups.length, digest: splitDigest(cases) },
    },
  };
}

interface Group {
  key: string;
  /** Positions of its cases among the suite's cases, ascending. */
  positions: number[];
}

/** The groups of the cases in order of first appearance. */
function groupsOf(cases: readonly Case[]): Group[] {
  const byKey = new Map<string, Group>();
  cases.forEach((c, i) => {
    const key = groupKey(c);
    const g = byKey.get(key) ?? byKey.set(key, { key, positions: [] }).get(key)!;
    g.positions.push(i);
  });
  return [...byKey.values()];
}

/** A digest of the case ids in order: shards of the same split have the same one. */
export function splitDigest(cases: readonly Pick<Case, 'id'>[]): string {
  return createHash('sha256')
    .update(JSON.stringify(cases.map((c) => c.id)))
    .digest('hex')
    .slice(0, 16);
}

/** `shard 2/4: 3 of the suite's 7 groups (5 of 12 cases)`, or why a shard is empty. */
export function describeShard(r: ShardRecord): string {
  const head = `shard ${r.index}/${r.count}`;
  if (r.groups === 0)
    return `${head}: no cases — the split of ${r.of.groups} group(s) over ${r.count} shards left this one empty; its run records the shard and nothing else`;
  return `${head}: ${r.groups} of the suite's ${r.of.groups} group(s) (${r.positions.length} of ${r.of.cases} cases)`;
}
