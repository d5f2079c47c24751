import { describe, expect, it } from 'vitest';
import { packSamples } from '../../src/results/index/packed.ts';
import type { Sample } from '../../src/results/sample.ts';
import { buildHistory } from '../../src/stats/history.ts';
import { groupPacked } from '../../src/stats/history-series.ts';
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
    for (const name of FIXTURES) {
      const { samples } = await loadRealRun(name);
      for (const metric of new Set(samples.map((s) => s.metric))) {
        const list = samples.filter((s) => s.metric === metric);
        const packed = packSamples(metric, list);
        for (const ignore of IGNORES) {
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
            expect(groupPacked(packed, ignore, where), `${name} ${metric} ${JSON.stringify(where)}`).toEqual(expected);
          }
        }
      }
    }
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
