import { createHash } from 'node:crypto';
import type { RunRecord, ShardRecord } from './run-record.ts';
import type { StoredRun } from './store.ts';

/**
 * What `hvbench merge` checks before it joins the shards of a split run (merge.ts): that
 * each run is a finished shard, that they split the same suite (resolved, with the same
 * command-line choices) with the same guest image and hvbench into the same number of
 * shards, and that together they hold every shard, and so every case, exactly once. Each
 * problem is one sentence naming the runs it concerns; merge refuses when there is any.
 */

/** A run that is a shard: its record has `shard`. */
export type ShardRun = StoredRun & { record: RunRecord & { shard: ShardRecord } };

/** Every problem that keeps these runs from being merged; empty when they can be. */
export function mergeProblems(runs: readonly StoredRun[]): string[] {
  if (runs.length === 0) return ['no runs given: name the run folder of every shard'];
  const problems: string[] = [];
  const seen = new Map<string, StoredRun>();
  for (const r of runs) {
    const first = seen.get(r.id);
    if (first) problems.push(`run ${r.id} is given twice (${first.dir} and ${r.dir}): give each shard once`);
    seen.set(r.id, r);
  }
  const shards: ShardRun[] = [];
  for (const r of runs) {
    const damaged = r.record.shard === undefined ? undefined : shardRecordProblem(r.record.shard);
    if (r.record.merged) problems.push(`${r.dir}: run ${r.id} is itself a merged run, not a shard: merge the shards it was made of`);
    else if (r.record.shard === undefined)
      problems.push(`${r.dir}: run ${r.id} is not a shard (its run.json has no "shard"): only runs of \`hvbench run --shard i/N\` merge`);
    else if (damaged !== undefined) problems.push(`${r.dir}: run ${r.id} has a damaged "shard" in its run.json: ${damaged}`);
    else shards.push(r as ShardRun);
  }
  for (const r of shards) {
    if (r.record.status === 'running') {
      problems.push(
        `${label(r)} is still running, or was cut short (run.json says "running"): let it finish, or \`hvbench run --resume ${r.dir}\` it, then merge`,
      );
    }
  }
  if (shards.length === 0) return problems;
  const differ = differences(shards);
  problems.push(...differ);
  // Coverage only makes sense among shards of one split.
  if (differ.length === 0) problems.push(...coverage(shards));
  return problems;
}

/** Limits of a shard record read back: a run folder is untrusted input, and merge makes arrays of these sizes. */
const MAX_SHARDS = 10_000;
const MAX_SPLIT_CASES = 1_000_000;

/** What is wrong with a shard record read from run.json, or undefined when it has the shape `run --shard` writes. */
function shardRecordProblem(value: unknown): string | undefined {
  const s = value as Partial<ShardRecord> | null;
  const int = (v: unknown, min: number, max: number) => Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
  if (s === null || typeof s !== 'object') return 'expected an object';
  if (!int(s.count, 1, MAX_SHARDS)) return `expected count, a whole number from 1 to ${MAX_SHARDS}`;
  if (!int(s.index, 1, s.count!)) return `expected index, a whole number from 1 to count (${s.count})`;
  if (s.of === null || typeof s.of !== 'object' || !int(s.of.cases, 0, MAX_SPLIT_CASES) || !int(s.of.groups, 0, s.of.cases!) || typeof s.of.digest !== 'string')
    return `expected of: { cases (0 to ${MAX_SPLIT_CASES}), groups, digest }`;
  if (!Array.isArray(s.positions) || !s.positions.every((p) => int(p, 0, MAX_SPLIT_CASES))) return 'expected positions, a list of case positions';
  return undefined;
}

/** `shard 2/4 (20261206-101500-quick-1f3a)`. */
export function label(r: ShardRun): string {
  return `shard ${r.record.shard.index}/${r.record.shard.count} (${r.id})`;
}

/** What must be the same in every shard: one problem per field that is not, with each value and the shards that have it. */
function differences(shards: readonly ShardRun[]): string[] {
  const out: string[] = [];
  const same = (what: string, valueIn: (r: ShardRun) => string, detail?: (values: ShardRun[]) => string) => {
    const groups = new Map<string, ShardRun[]>();
    for (const r of shards) {
      const v = valueIn(r);
      (groups.get(v) ?? groups.set(v, []).get(v)!).push(r);
    }
    if (groups.size < 2) return;
    const each = [...groups].map(([v, rs]) => `${v} in ${rs.map(label).join(', ')}`).join('; ');
    out.push(`${what} differs${detail ? ` (${detail([...groups.values()].map((rs) => rs[0]!))})` : ''}: ${each}`);
  };
  same('the shard count', (r) => `N = ${r.record.shard.count}`);
  same('the suite', (r) => `suite ${r.record.suite.name}`);
  same(
    'the resolved suite',
    (r) => `hash ${suiteHash(r.record)}`,
    (firsts) => `fields ${differingFields(firsts.map((r) => r.record.suite.resolved)).join(', ')}`,
  );
  same('the command-line choices', (r) => JSON.stringify(r.record.suite.overrides ?? {}));
  same('the split', (r) => `${r.record.shard.of.cases} cases in ${r.record.shard.of.groups} groups, digest ${r.record.shard.of.digest}`);
  same('the guest image', (r) => (r.record.image ? `image ${r.record.image.id} (hash ${r.record.image.hash})` : 'no image recorded'));
  same('hvbench', (r) => `hvbench ${r.record.hvbench.version} at ${r.record.hvbench.revision}`);
  return out;
}

/** Every shard index from 1 to N exactly once, and every position of the split exactly once. */
function coverage(shards: readonly ShardRun[]): string[] {
  const out: string[] = [];
  const count = shards[0]!.record.shard.count;
  const byIndex = new Map<number, ShardRun[]>();
  for (const r of shards) (byIndex.get(r.record.shard.index) ?? byIndex.set(r.record.shard.index, []).get(r.record.shard.index)!).push(r);
  for (const [index, rs] of [...byIndex].sort(([a], [b]) => a - b)) {
    if (index < 1 || index > count) out.push(`${rs.map(label).join(', ')}: shard ${index} is outside 1…${count}`);
    else if (rs.length > 1)
      out.push(`shard ${index}/${count} is given ${rs.length} times: ${rs.map((r) => `${r.id} (${r.dir})`).join(', ')}; give one run per shard`);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0)
    out.push(`${missing.length === 1 ? 'shard' : 'shards'} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: every shard of the split must be given`);
  if (out.length > 0) return out;
  const total = shards[0]!.record.shard.of.cases;
  const owner = new Map<number, ShardRun>();
  for (const r of shards) {
    const { positions } = r.record.shard;
    if (positions.length !== r.record.cases.length) {
      out.push(`${label(r)} has ${r.record.cases.length} cases in run.json but its split gave it ${positions.length}`);
      continue;
    }
    for (const p of positions) {
      const other = owner.get(p);
      if (!Number.isInteger(p) || p < 0 || p >= total) out.push(`${label(r)} names case position ${p}, outside the split's ${total} cases`);
      else if (other) out.push(`case ${p + 1} of ${total} is in both ${label(other)} and ${label(r)}`);
      else owner.set(p, r);
    }
  }
  if (out.length === 0 && owner.size !== total) out.push(`the shards hold ${owner.size} of the split's ${total} cases`);
  return out;
}

/** A short hash of the suite as resolved (every default filled in, the command-line choices applied). */
export function suiteHash(r: Pick<RunRecord, 'suite'>): string {
  return createHash('sha256').update(stableText(r.suite.resolved)).digest('hex').slice(0, 12);
}

/** Top-level fields of the resolved suites whose values are not all the same. */
function differingFields(resolved: readonly object[]): string[] {
  const keys = [...new Set(resolved.flatMap((o) => Object.keys(o)))].sort();
  const fields = keys.filter((k) => new Set(resolved.map((o) => stableText((o as Record<string, unknown>)[k]))).size > 1);
  return fields.length > 0 ? fields : ['(none at the top level)'];
}

/** JSON with object keys sorted, so equal values give equal text. */
function stableText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableText(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
