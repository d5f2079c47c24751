import type { HistorySeries } from '../../stats/history.ts';
import { sortBackends, VERDICT_COLOURS } from '../palette.ts';
import { roleOf, variantOf } from '../../dims/catalogue.ts';
import { metricName, metricTitle, unitLabel } from '../metric-names.ts';
import { backendColour, base, round, withUnit, type Spec } from './common.ts';

/**
 * History lines for regression tracking: per metric, the mean of each series at each run
 * (oldest first) with its 95 % interval; a point flagged by the same test as `hvbench
 * compare` against the run before it is ringed in vermillion (regression) or blue.
 */

export function historySpec(metrics: readonly HistorySeries[][], runOrder: readonly string[]): Spec | undefined {
  const charts = metrics
    .filter((list) => list.some((s) => s.points.length > 1))
    .map((list) => {
      const first = list[0]!;
      const rows = list.flatMap((s) => {
        const variant = variantOf(s.dims);
        const label = seriesName(s);
        return s.points.map((p) => ({
          run: p.label,
          when: pointLabel(p.date, p.revision),
          series: label,
          variant,
          backend: String(s.dims.backend ?? 'unknown'),
          mean: round(p.summary.mean),
          lo: round(p.summary.ci95?.lo),
          hi: round(p.summary.ci95?.hi),
          n: p.summary.n,
          flag: p.change?.verdict === 'regression' ? 'regression' : p.change?.verdict === 'improvement' ? 'improvement' : null,
        }));
      });
      const backends = sortBackends(rows.map((r) => r.backend));
      const order = [
        ...new Map(
          list
            .flatMap((s) => s.points)
            .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : runOrder.indexOf(a.label) - runOrder.indexOf(b.label)))
            .map((p) => [pointLabel(p.date, p.revision), true]),
        ).keys(),
      ];
      const x = {
        field: 'when',
        type: 'ordinal',
        sort: order,
        title: 'run start (UTC) · hvbench revision, oldest first',
        axis: { labelAngle: -30, labelLimit: 200 },
      };
      const y = { field: 'mean', type: 'quantitative', title: withUnit(metricName(first.metric), unitLabel(first.unit)), scale: { zero: false } };
      return {
        title: { text: metricTitle(first.metric, first.unit), subtitle: first.better === 'higher' ? '↑ higher is better' : '↓ lower is better' },
        data: { values: rows },
        width: 300,
        height: 180,
        layer: [
          {
            mark: { type: 'line', point: { filled: true, size: 30 } },
            encoding: {
              x,
              y,
              color: backendColour(backends),
              detail: { field: 'series' },
              tooltip: [
                { field: 'series' },
                { field: 'run' },
                { field: 'when', title: 'measured' },
                { field: 'mean', format: '.4~g' },
                { field: 'lo', title: '95 % CI low', format: '.4~g' },
                { field: 'hi', title: '95 % CI high', format: '.4~g' },
                { field: 'n' },
                { field: 'flag', title: 'change' },
              ],
            },
          },
          ...(rows.some((r) => r.lo !== null)
            ? [
                {
                  transform: [{ filter: 'isValid(datum.lo)' }],
                  mark: { type: 'errorbar', ticks: { size: 5 } },
                  encoding: {
                    x,
                    y: { field: 'lo', type: 'quantitative', title: y.title, scale: y.scale },
                    y2: { field: 'hi' },
                    color: backendColour(backends),
                    detail: { field: 'series' },
                  },
                },
              ]
            : []),
          ...(rows.some((r) => r.flag !== null)
            ? [
                {
                  transform: [{ filter: 'isValid(datum.flag)' }],
                  mark: { type: 'point', size: 220, strokeWidth: 2.5, filled: false },
                  encoding: {
                    x,
                    y,
                    stroke: {
                      field: 'flag',
                      type: 'nominal',
                      title: 'flagged change',
                      scale: { domain: ['regression', 'improvement'], range: [VERDICT_COLOURS.regression, VERDICT_COLOURS.improvement] },
                    },
                  },
                },
              ]
            : []),
        ],
      };
    });
  if (charts.length === 0) return undefined;
  return {
    ...base(
      'History across runs',
      ['means with 95 % CI per run; rings: a change flagged against the previous run (permutation test and noise threshold, as hvbench compare)'],
      'metrics across runs for regression tracking',
    ),
    concat: charts,
    columns: 2,
    resolve: { scale: { color: 'shared', stroke: 'shared' } },
  } as unknown as Spec;
}

/** `2026-12-06 03:50:31 · 1a2b3c4`: when a point was measured, and by which hvbench revision. */
function pointLabel(date: string, revision: string): string {
  const when = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(date) ? `${date.slice(0, 10)} ${date.slice(11, 19)}` : date;
  return revision && revision !== 'unknown' ? `${when} · ${revision.slice(0, 7)}` : when;
}

function seriesName(s: HistorySeries): string {
  const parts = Object.entries(s.dims)
    .filter(([k]) => roleOf(k) === 'variant' || k.startsWith('param.') || k === 'io' || k === 'disk_model' || k === 'nic_model')
    .map(([k, v]) => (roleOf(k) === 'variant' ? String(v) : `${k.replace(/^param\./, '')}=${v}`));
  return parts.join(' ') || 'all';
}
