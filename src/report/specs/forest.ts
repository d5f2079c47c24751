import type { Verdict } from '../../stats/compare.ts';
import type { CompareReport } from '../../stats/compare-report.ts';
import { VERDICT_COLOURS } from '../palette.ts';
import { metricFamily, metricName } from '../metric-names.ts';
import { base, round, type Spec } from './common.ts';

/**
 * A forest plot of a comparison: one row per matched series, the ratio B/A of means with
 * its 95 % interval on a log axis, a line at 1 (no change). Regressions (and, within one
 * run, "worse than the reference") are drawn in vermillion with a triangle and named.
 */

/**
 * One forest plot per metric family (`family`), rows sorted by the size of the effect
 * (largest first), the noise band (1 ± the noise threshold) shaded so that a reader sees
 * at once which intervals leave it.
 */
export function forestSpec(report: CompareReport, title: string, family?: string): Spec | undefined {
  const rows = report.rows
    .filter((r) => r.comparison.ratio !== undefined && r.comparison.ratio > 0 && (family === undefined || metricFamily(r.metric) === family))
    .sort((a, b) => Math.abs(Math.log(b.comparison.ratio!)) - Math.abs(Math.log(a.comparison.ratio!)))
    .map((r) => ({
      series: `${metricName(r.metric)} ${r.better === 'higher' ? '↑' : '↓'} · ${r.label}`,
      metric: r.metric,
      ratio: round(r.comparison.ratio),
      lo: round(r.comparison.ratioCi?.lo),
      hi: round(r.comparison.ratioCi?.hi),
      verdict: r.comparison.verdict,
      p: r.comparison.pAdjusted === undefined ? null : Number(r.comparison.pAdjusted.toPrecision(2)),
      reason: r.comparison.reason,
    }));
  if (rows.length === 0) return undefined;
  const words =
    report.mode === 'by'
      ? { regression: 'worse', improvement: 'better', 'no-change': 'similar or inconclusive' }
      : { regression: 'regression', improvement: 'improvement', 'no-change': 'no significant change' };
  const klass = (v: Verdict) => (v === 'regression' || v === 'worse' ? 'regression' : v === 'improvement' || v === 'better' ? 'improvement' : 'no-change');
  const labelled = rows.map((r) => ({ ...r, verdictText: words[klass(r.verdict)] }));
  const domain = [words.regression, words.improvement, words['no-change']];
  const order = labelled.map((r) => r.series);
  const threshold = Math.min(0.99, report.rows.find((r) => family === undefined || metricFamily(r.metric) === family)?.comparison.noiseThreshold ?? 0.05);
  const y = { field: 'series', type: 'nominal', sort: order, title: null, axis: { labelLimit: 360 } };
  const x = {
    field: 'ratio',
    type: 'quantitative',
    title: `ratio B/A of means (${report.mode === 'by' ? `each ${report.by} ÷ ${report.a.value}` : 'run ÷ baseline'}; unitless, log scale)`,
    scale: { type: 'log', nice: false, padding: 12 },
  };
  const colour = {
    field: 'verdictText',
    type: 'nominal',
    title: 'verdict',
    scale: { domain, range: [VERDICT_COLOURS.regression, VERDICT_COLOURS.improvement, VERDICT_COLOURS['no-change']] },
  };
  return {
    ...base(
      title,
      [
        `points: ratio of means; bars: 95 % CI (${report.method.ratioCi}); grey band: the ${Math.round(threshold * 100)} % noise threshold; largest effect first; for ↓ metrics a ratio above 1 is worse`,
      ],
      'forest plot of ratios with confidence intervals',
    ),
    data: { values: labelled },
    width: 520,
    height: { step: 18 },
    layer: [
      {
        data: { values: [{ lo: round(1 - threshold), hi: round(1 + threshold) }] },
        mark: { type: 'rect', color: '#dddddd', opacity: 0.6 },
        encoding: { x: { field: 'lo', type: 'quantitative', scale: x.scale, title: x.title }, x2: { field: 'hi' } },
      },
      { data: { values: [{}] }, mark: { type: 'rule', color: '#888888', strokeDash: [4, 3] }, encoding: { x: { datum: 1 } } }, // one line, not one per row
      ...(labelled.some((r) => r.lo !== null)
        ? [
            {
              transform: [{ filter: 'isValid(datum.lo)' }],
              mark: { type: 'rule', strokeWidth: 1.6 },
              encoding: { y, x: { field: 'lo', type: 'quantitative', title: x.title, scale: x.scale }, x2: { field: 'hi' }, color: colour },
            },
          ]
        : []),
      {
        mark: { type: 'point', filled: true, size: 70 },
        encoding: {
          y,
          x,
          color: colour,
          shape: { field: 'verdictText', type: 'nominal', title: 'verdict', scale: { domain, range: ['triangle-up', 'diamond', 'circle'] } },
          tooltip: [
            { field: 'series' },
            { field: 'ratio', format: '.4~g' },
            { field: 'lo', title: '95 % CI low', format: '.4~g' },
            { field: 'hi', title: '95 % CI high', format: '.4~g' },
            { field: 'p' },
            { field: 'reason' },
          ],
        },
      },
    ],
  } as unknown as Spec;
}
