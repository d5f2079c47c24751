import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/results/sample.ts';
import { buildHistory, latestRegressions, type HistoryRun } from '../../src/stats/history.ts';
import { renderHistory } from '../../src/stats/history-text.ts';
import { DEFAULT_IGNORED_DIMS } from '../../src/stats/series.ts';
import { settingsFor } from '../../src/stats/thresholds.ts';

const noise = [0.01, -0.012, 0.004, -0.003, 0.008, -0.009, 0.002, -0.001, 0.006, -0.005];
function run(id: string, day: number, revision: string, mean: number, qemu = '7.2'): HistoryRun {
  const samples: Sample[] = noise.map((x, i) => ({
    metric: 'cpu.events_per_s',
    value: mean * (1 + x),
    unit: 'events/s',
    better: 'higher',
    dims: { run: id, rep: i + 1, backend: 'tcg', workload: 'cpu', qemu },
    ts: '',
  }));
  return { id, startedAt: `2026-01-0${day}T00:00:00Z`, revision, samples };
}
const options = { metric: 'cpu.events_per_s', ignore: new Set(DEFAULT_IGNORED_DIMS), settings: (m: string) => settingsFor(m, []), seed: 1, permutations: 2000 };

describe('history', () => {
  it('orders runs by date and flags the runs where the metric changed', () => {
    const runs = [run('r3', 3, 'c', 800, '8.0'), run('r1', 1, 'a', 1000), run('r2', 2, 'b', 1001), run('r4', 4, 'd', 1000, '8.0')];
    const [series] = buildHistory(runs, options);
    expect(series!.points.map((p) => p.label)).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(series!.points.map((p) => p.flagged)).toEqual([false, false, true, true]);
    expect(series!.points[2]!.change).toMatchObject({ verdict: 'regression' });
    expect(series!.points[3]!.change).toMatchObject({ verdict: 'improvement' });
    expect(series!.points[2]!.provenance).toEqual({ qemu: ['8.0'] });
  });

  it('pools the runs of one revision into one point', () => {
    const runs = [run('r1', 1, 'a', 1000), run('r2', 2, 'a', 1000), run('r3', 3, 'b', 1000)];
    const [series] = buildHistory(runs, { ...options, per: 'revision' });
    expect(series!.points.map((p) => [p.label, p.runs, p.summary.n])).toEqual([
      ['a', ['r1', 'r2'], 20],
      ['b', ['r3'], 10],
    ]);
  });

  it('adjusts the p-values of every step together (Holm) and names the newest regressions', () => {
    const runs = [run('r1', 1, 'a', 1000), run('r2', 2, 'b', 1000), run('r3', 3, 'c', 800)];
    const [series] = buildHistory(runs, options);
    const steps = series!.points.slice(1).map((p) => p.change!);
    expect(steps.map((c) => c.familySize)).toEqual([2, 2]);
    expect(steps[1]!.pAdjusted).toBeGreaterThanOrEqual(steps[1]!.pValue!);
    expect(latestRegressions([series!])).toHaveLength(1);
    expect(latestRegressions(buildHistory(runs.slice(0, 2), options))).toHaveLength(0);
    const text = renderHistory([series!]);
    expect(text).toMatch(/^date +verdict +mean \[95 % CI\] +change +p adj\. +n +point$/m);
    expect(text).toMatch(/^2026-01-03 00:00 +<< regression +800 \[79\d, 80\d\] +−20\.0 % +\S+ +10 +r3$/m);
  });
});
