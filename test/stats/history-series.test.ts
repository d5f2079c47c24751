import { describe, expect, it } from 'vitest';
import { packSamples } from '../../src/results/index/packed.ts';
import type { Sample } from '../../src/results/sample.ts';
import { buildHistory } from '../../src/stats/history.ts';
import { groupMemo, groupPacked } from '../../src/stats/history-series.ts';
import { DEFAULT_IGNORED_DIMS, groupSeries } from '../../src/stats/series.ts';
import { settingsFor } from '../../src/stats/thresholds.ts';
import { loadRealRun } from '../support/real-runs.ts';

const FIXTURES = ['io-paths-native-tcg', 'kvm-lab', 'native-tcg-local', 'native-tcg-local-2', 'xen-lab-pv-pvh'];
const IGNORES = [new Set(DEFAULT_IGNORED_DIMS), new Set([...DEFAULT_IGNORED_DIMS, 'host', 'param.io']), new Set<string>()];
const WHERES: [string, string][][] = [
  [],
  [['backend', 'tcg']],
  [['rep', '2']],
  [
    ['seq', '3'],
    ['workload', 'disk'],
  ],
  [['no_such', 'undefined']],
];

describe('history series from samples as columns', () => {
  it('are the series groupSeries makes of the samples kept by --where (real runs, every metric)', async () => {
    // One memo per set of ignored dimensions, over every run and metric (as history uses it over runs).
    const memos = IGNORES.map(() => groupMemo());
    for (const name of FIXTURES) {
      const { samples } = await loadRealRun(name);
      for (const metric of new Set(samples.map((s) => s.metric))) {
        const list = samples.filter((s) => s.metric === metric);
        const packed = packSamples(metric, list);
        for (const [i, ignore] of IGNORES.entries()) {
          for (const where of WHERES) {
            const kept = list.filter((s) => where.every(([k, v]) => String(s.dims[k]) === v));
            const expected = groupSeries(kept, ignore).map(({ key, metric: m, unit, better, dims, values, provenance }) => ({
              key,
              metric: m,
              unit,
              better,
              dims,
              values,
              provenance,
            }));
            expect(groupPacked(packed, ignore, where, memos[i]), `${name} ${metric} ${JSON.stringify(where)}`).toEqual(expected);
          }
        }
      }
    }
  });

  it('work once per profile shared by runs, and still tell the runs apart by --where run=', async () => {
    const { samples } = await loadRealRun('kvm-lab');
    const list = samples.filter((s) => s.metric === 'boot.to_ready_ms');
    const a = packSamples('boot.to_ready_ms', list);
    const id = String(list[0]!.dims.run);
    const b = packSamples(
      'boot.to_ready_ms',
      list.map((s) => ({ ...s, dims: { ...s.dims, run: 'next-night' } })),
    );
    // As the index gives them: the same profile objects for both runs.
    b.profiles = a.profiles;
    const memo = groupMemo();
    const ignore = new Set(DEFAULT_IGNORED_DIMS);
    const [fromA, fromB] = [a, b].map((p) => groupPacked(p, ignore, [], memo));
    expect(fromB).toEqual(fromA);
    expect(fromB![0]!.dims).toBe(fromA![0]!.dims);
    expect(memo.series.size).toBe(a.profiles.length);
    expect(groupPacked(b, ignore, [['run', 'next-night']], memo)).toEqual(fromA);
    expect(groupPacked(b, ignore, [['run', id]], memo)).toEqual([]);
    expect(groupPacked(a, ignore, [['run', id]], memo)).toEqual(fromA);
  });

  it('make the same history from the index as from the samples', async () => {
    const runs = await Promise.all(FIXTURES.map(loadRealRun));
    const options = { metric: 'cpu.events_per_s', ignore: new Set(DEFAULT_IGNORED_DIMS), settings: (m: string) => settingsFor(m, []), seed: 3 };
    const head = (r: (typeof runs)[number]) => ({ id: r.record.id, startedAt: r.record.startedAt, revision: r.record.hvbench.revision });
    const fromSamples = buildHistory(
      runs.map((r) => ({ ...head(r), samples: r.samples })),
      options,
    );
    const fromPacked = buildHistory(
      runs.map((r) => ({
        ...head(r),
        packed: packSamples(
          options.metric,
          r.samples.filter((s: Sample) => s.metric === options.metric),
        ),
      })),
      options,
    );
    expect(fromSamples.length).toBeGreaterThan(1);
    expect(fromPacked).toEqual(fromSamples);
    const tcg = buildHistory(
      runs.map((r) => ({ ...head(r), samples: r.samples })),
      { ...options, where: [['backend', 'tcg']] },
    );
    expect(tcg.map((s) => s.dims.backend)).toEqual(tcg.map(() => 'tcg'));
  });
});
