import { describe, expect, it } from 'vitest';
import { BOOT_ESTIMATE_SEC, describeShard, estimatedSeconds, parseShard, shardCases, splitDigest } from '../../src/runner/shard.ts';
import { groupKey } from '../../src/stats/interleave.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import type { Case } from '../../src/suite/types.ts';
import { HvbError } from '../../src/util/errors.ts';
import { workloads } from '../../src/workloads/registry.ts';

const deps = { workloads, backends: ['native', 'tcg', 'kvm'] };

/** A suite of 3 backends × (cpu at 4 durations + memory + boot): 18 cases in 6 groups of 3. */
function suiteCases(): Case[] {
  const suite = resolveSuite(
    {
      name: 'split',
      backends: ['native', 'tcg', 'kvm'],
      repetitions: 3,
      workloads: [{ workload: 'cpu', params: { timeSec: [1, 2, 5, 30] } }, { workload: 'memory' }, { workload: 'boot' }],
    },
    deps,
    'split',
  );
  return expandSuite(suite, deps);
}

const cost = (c: Case) => estimatedSeconds(c, workloads);
const split = (cases: readonly Case[], count: number, costOf: (c: Case) => number | undefined = cost) =>
  Array.from({ length: count }, (_, i) => shardCases(cases, { index: i + 1, count }, costOf));

describe('parseShard', () => {
  it('reads i/N', () => {
    expect(parseShard('1/2')).toEqual({ index: 1, count: 2 });
    expect(parseShard('4/4')).toEqual({ index: 4, count: 4 });
    expect(parseShard(' 3 / 10 ')).toEqual({ index: 3, count: 10 });
  });

  it.each([
    ['', /expected i\/N/],
    ['2', /expected i\/N/],
    ['1/2/3', /expected i\/N/],
    ['a/b', /expected i\/N/],
    ['1.5/2', /expected i\/N/],
    ['-1/2', /expected i\/N/],
    ['0/2', /expected 1 ≤ i ≤ N, got i = 0 with N = 2/],
    ['3/2', /expected 1 ≤ i ≤ N, got i = 3 with N = 2/],
    ['1/0', /expected at least 1 shard, got N = 0/],
    ['1/99999999999999999999', /sensible size/],
  ])('refuses %j, naming what it expected', (text, message) => {
    let caught: unknown;
    try {
      parseShard(text);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HvbError);
    expect((caught as HvbError).code).toBe('usage');
    expect((caught as HvbError).message).toMatch(message);
    expect((caught as HvbError).message).toContain(`--shard ${JSON.stringify(text)}`);
  });
});

describe('shardCases', () => {
  it('puts every case in exactly one shard, in suite order within each', () => {
    const cases = suiteCases();
    expect(cases).toHaveLength(18);
    for (const count of [1, 2, 3, 4, 5, 6]) {
      const parts = split(cases, count);
      const ids = parts.flatMap((p) => p.cases.map((c) => c.id));
      expect([...ids].sort()).toEqual(cases.map((c) => c.id).sort());
      expect(new Set(ids).size).toBe(cases.length);
      for (const p of parts) {
        expect(p.record.positions).toEqual([...p.record.positions].sort((a, b) => a - b));
        expect(p.cases).toEqual(p.record.positions.map((i) => cases[i]));
      }
      expect(parts.flatMap((p) => p.record.positions).sort((a, b) => a - b)).toEqual(cases.map((_, i) => i));
    }
  });

  it('keeps a group (the same case on every backend) in one shard', () => {
    const cases = suiteCases();
    const parts = split(cases, 4);
    const shardOfGroup = new Map<string, number>();
    parts.forEach((p, s) => {
      for (const c of p.cases) {
        const key = groupKey(c);
        expect(shardOfGroup.get(key) ?? s).toBe(s);
        shardOfGroup.set(key, s);
      }
      expect(new Set(p.cases.map(groupKey)).size).toBe(p.record.groups);
      for (const key of new Set(p.cases.map(groupKey)))
        expect(p.cases.filter((c) => groupKey(c) === key).map((c) => c.backend)).toEqual(['native', 'tcg', 'kvm']);
    });
    expect(shardOfGroup.size).toBe(6);
  });

  it('is deterministic: the same split on every runner, and each shard records the same split', () => {
    const a = split(suiteCases(), 3);
    const b = split(suiteCases(), 3);
    expect(a.map((p) => p.record)).toEqual(b.map((p) => p.record));
    expect(new Set(a.map((p) => JSON.stringify(p.record.of))).size).toBe(1);
    expect(a[0]!.record.of).toEqual({ cases: 18, groups: 6, digest: splitDigest(suiteCases()) });
  });

  it('balances by estimated time: the long case gets a shard to itself', () => {
    const cases = suiteCases();
    const parts = split(cases, 2);
    expect(parts.every((p) => p.byCost)).toBe(true);
    // cpu timeSec=30 is the largest group by far: alone (or nearly) on one shard, the other five on the other.
    const long = parts.findIndex((p) => p.cases.some((c) => c.params.timeSec === 30));
    expect(parts[long]!.record.groups).toBeLessThan(parts[1 - long]!.record.groups);
    const loads = parts.map((p) => p.cases.reduce((n, c) => n + cost(c)!, 0));
    const groupCosts = [...new Set(cases.map(groupKey))].map((k) => cases.filter((c) => groupKey(c) === k).reduce((n, c) => n + cost(c)!, 0));
    // Greedy largest-first: the shards differ by at most the largest group.
    expect(Math.abs(loads[0]! - loads[1]!)).toBeLessThanOrEqual(Math.max(...groupCosts));
  });

  it('balances by case count when a case has no estimate', () => {
    const cases = suiteCases();
    const parts = split(cases, 3, (c) => (c.workload === 'boot' ? undefined : cost(c)));
    expect(parts.every((p) => !p.byCost)).toBe(true);
    expect(parts.map((p) => p.cases.length)).toEqual([6, 6, 6]);
    expect(parts.map((p) => p.record.groups)).toEqual([2, 2, 2]);
  });

  it('gives empty shards when there are more shards than groups, each still recording the split', () => {
    const cases = suiteCases();
    const parts = split(cases, 8);
    expect(parts.filter((p) => p.cases.length > 0)).toHaveLength(6);
    const empty = parts.filter((p) => p.cases.length === 0);
    expect(empty.map((p) => p.record.index)).toEqual([7, 8]);
    for (const p of empty) {
      expect(p.record).toEqual({ index: p.record.index, count: 8, groups: 0, positions: [], of: parts[0]!.record.of });
      expect(describeShard(p.record)).toMatch(/^shard \d\/8: no cases — the split of 6 group\(s\) over 8 shards left this one empty/);
    }
    expect(describeShard(parts[0]!.record)).toMatch(/^shard 1\/8: 1 of the suite's 6 group\(s\) \(3 of 18 cases\)$/);
  });

  it('with one shard runs the whole suite in its order', () => {
    const cases = suiteCases();
    const [only] = split(cases, 1);
    expect(only!.cases).toEqual(cases);
    expect(only!.record.groups).toBe(6);
  });

  it('gives a different digest to a different case list', () => {
    const cases = suiteCases();
    expect(splitDigest(cases)).not.toBe(splitDigest(cases.slice(1)));
    expect(splitDigest(cases)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('estimatedSeconds', () => {
  it('counts every warm-up and repetition, each with a boot', () => {
    const [c] = suiteCases();
    const each = workloads.cpu!.expectedSeconds(c!.params as never);
    expect(estimatedSeconds({ ...c!, warmup: 1, repetitions: 3 }, workloads)).toBe(4 * (each + BOOT_ESTIMATE_SEC));
  });

  it('is unknown for a workload it does not know', () => {
    const [c] = suiteCases();
    expect(estimatedSeconds({ ...c!, workload: 'nope' }, workloads)).toBeUndefined();
  });
});
