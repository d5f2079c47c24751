import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/results/sample.ts';
import { compareRuns, compareWithin } from '../../src/stats/compare-report.ts';
import { renderCompareMarkdown } from '../../src/stats/compare-markdown.ts';
import { renderCompare } from '../../src/stats/compare-text.ts';
import { buildHistory } from '../../src/stats/history.ts';
import { renderHistory } from '../../src/stats/history-text.ts';
import { DEFAULT_IGNORED_DIMS } from '../../src/stats/series.ts';
import { summarize } from '../../src/stats/summary.ts';
import { settingsFor } from '../../src/stats/thresholds.ts';

/**
 * Values at the limits of a double (issue 18, item 5) must never turn into NaN or
 * ±Infinity in a figure, a p of 0, or a regression: what cannot be computed says so.
 */

const EXTREMES = [1e308, 5e-324, -0, -1.7e308];
const normal = [1000, 1010, 990, 1005, 995, 1002, 998, 1008, 992, 1000];

/** Every number anywhere inside `value`, with its path. */
function numbers(value: unknown, path = '$'): [string, number][] {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, `${path}.${k}`));
  return [];
}

function expectSane(value: unknown): void {
  const bad = numbers(value).filter(([, x]) => !Number.isFinite(x));
  expect(bad).toEqual([]);
  const zeroP = numbers(value).filter(([path, x]) => /\.(pValue|pAdjusted)$/.test(path) && !(x > 0));
  expect(zeroP).toEqual([]);
}

function samples(run: string, backend: string, values: readonly number[], better: Sample['better'] = 'lower'): Sample[] {
  return values.map((value, i) => ({
    metric: 'micro.syscall_ns',
    value,
    unit: 'ns',
    better,
    dims: { run, rep: i + 1, backend, workload: 'micro', host: 'local' },
    ts: '',
  }));
}

/** Where the extreme value goes: one value of B, every value of B, every value of both sides. */
function placements(x: number): { name: string; a: number[]; b: number[] }[] {
  return [
    { name: 'one value of B', a: normal, b: [x, ...normal.slice(1)] },
    { name: 'every value of B', a: normal, b: normal.map(() => x) },
    { name: 'every value of both', a: normal.map(() => x), b: normal.map(() => x) },
    { name: 'B mixed with its opposite', a: normal, b: normal.map((_, i) => (i % 2 ? x : -x)) },
  ];
}

const options = { ignore: new Set(DEFAULT_IGNORED_DIMS), settings: (m: string) => settingsFor(m, []), seed: 1 };

describe.each(EXTREMES)('samples of %d', (x) => {
  it('summaries stay finite, and the interval of positive values stays positive', () => {
    for (const p of placements(x)) {
      const s = summarize(p.b);
      expectSane(s);
      if (p.b.every((v) => v > 0) && s.ci95) expect(s.ci95.lo).toBeGreaterThan(0);
    }
  });

  it.each(placements(x).map((p) => [p.name, p] as const))(
    'compare (gate and backends) and history with %s: finite figures, no p of 0, no regression',
    (_name, p) => {
      for (const better of ['lower', 'higher'] as const) {
        const gate = compareRuns({ id: 'A', samples: samples('A', 'tcg', p.a, better) }, { id: 'B', samples: samples('B', 'tcg', p.b, better) }, options);
        expectSane(gate);
        expect(gate.rows).toHaveLength(1);
        expect(gate.counts.regression).toBe(0);
        const text = renderCompare(gate) + renderCompareMarkdown(gate);
        expect(text).not.toMatch(/NaN|Infinity/);
        const row = gate.rows[0]!.comparison;
        if (row.verdict === 'not-computable') expect(row.reason).toMatch(/limits of a double|positive means/);

        const within = compareWithin(
          { id: 'W', samples: [...samples('W', 'native', p.a, better), ...samples('W', 'tcg', p.b, better)] },
          'backend',
          'native',
          options,
        );
        expectSane(within);
        expect(within.rows).toHaveLength(1);
        expect(renderCompare(within)).not.toMatch(/NaN|Infinity/);

        const history = buildHistory(
          [
            { id: 'A', startedAt: '2026-01-01T00:00:00Z', revision: 'a', samples: samples('A', 'tcg', p.a, better) },
            { id: 'B', startedAt: '2026-01-02T00:00:00Z', revision: 'b', samples: samples('B', 'tcg', p.b, better) },
          ],
          { ...options, metric: 'micro.syscall_ns' },
        );
        expectSane(history);
        expect(history[0]!.points[1]!.change!.verdict).not.toBe('regression');
        expect(renderHistory(history)).not.toMatch(/NaN|Infinity/);
      }
    },
  );
});

describe('values at the limits of a double', () => {
  it('are named in the reason of a comparison that is not computed', () => {
    const gate = compareRuns(
      { id: 'A', samples: samples('A', 'tcg', normal) },
      {
        id: 'B',
        samples: samples(
          'B',
          'tcg',
          normal.map(() => 1e308),
        ),
      },
      options,
    );
    expect(gate.rows[0]!.comparison).toMatchObject({
      verdict: 'not-computable',
      reason: expect.stringMatching(/a value of 1e\+308 lies at the limits of a double/),
    });
    expect(gate.counts['not-computable']).toBe(1);
  });

  it('all −0 against all 0 is no change; −0 against positive values is not computable, never a ratio of 0', () => {
    const zeros = normal.map(() => -0);
    const same = compareRuns(
      {
        id: 'A',
        samples: samples(
          'A',
          'tcg',
          normal.map(() => 0),
        ),
      },
      { id: 'B', samples: samples('B', 'tcg', zeros) },
      options,
    );
    expect(same.rows[0]!.comparison.verdict).toBe('no-change');
    const drop = compareRuns({ id: 'A', samples: samples('A', 'tcg', normal) }, { id: 'B', samples: samples('B', 'tcg', zeros) }, options);
    expect(drop.rows[0]!.comparison).toMatchObject({ verdict: 'not-computable', ratio: undefined });
    expect(summarize(zeros)).toMatchObject({ mean: 0, median: 0, min: 0, max: 0 });
    expect(Object.is(summarize(zeros).mean, -0)).toBe(false);
  });
});
