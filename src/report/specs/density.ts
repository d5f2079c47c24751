import type { Density, DensityMetric } from '../density.ts';
import { sortBackends } from '../palette.ts';
import { metricName, unitLabel } from '../metric-names.ts';
import { backendColour, base, round, type Spec } from './common.ts';
import { curvePanel, type Encoding } from './curve-panel.ts';

/**
 * The density figure of one workload: a panel per metric, two a row — the guests' sum and
 * each guest's own mean, then Jain's fairness index and the min/max ratio — against the number of guests running at
 * once, one line per variant (a dash pattern per configuration when a variant has several),
 * a point per guest count with its 95 % interval. The fairness panels run from 0 to 1 (1:
 * every guest got the same). The x axis marks exactly the counts measured, on a log-2 scale
 * once they span 4× or more.
 */

const WIDTH = 280;
const HEIGHT = 140;
const Y_AXIS = { minExtent: 48, maxExtent: 48 };
const FAIRNESS = new Set(['jain', 'min_max_ratio']);
/** Each panel's title; the metric they all derive from is the figure's. */
const KIND_TITLES: Readonly<Record<string, string>> = {
  sum: 'sum over the guests',
  'per guest': 'each guest',
  jain: "Jain's fairness index",
  min_max_ratio: 'smallest guest ÷ largest',
};

export function densitySpec(density: Density, workload: string): Spec | undefined {
  const metrics = density.metrics.filter((m) => m.workload === workload);
  if (metrics.length === 0) return undefined;
  const guests = [...new Set(metrics.flatMap((m) => m.lines.flatMap((l) => l.points.map((p) => p.guests))))].sort((a, b) => a - b);
  const spread = guests.at(-1)! / guests[0]!;
  const xScale =
    spread >= 4
      ? { type: 'log', base: 2, domain: [guests[0]! / 1.25, guests.at(-1)! * 1.25], nice: false }
      : { domain: [guests[0]! - 0.25, guests.at(-1)! + 0.25], nice: false };
  const x = { field: 'guests', type: 'quantitative', title: 'guests at once', scale: xScale, axis: { values: guests, format: 'd', grid: false } };
  const backends = sortBackends(metrics.flatMap((m) => m.lines.map((l) => l.backend)));
  const several = metrics.some((m) => new Set(m.lines.map((l) => l.backend)).size < m.lines.length);
  const colour = backendColour(backends);
  const n = [...new Set(metrics.flatMap((m) => m.lines.flatMap((l) => l.points.map((p) => p.n))))].sort((a, b) => a - b);
  // Two panels a row: the throughputs (sum, per guest) side by side, then the fairness figures.
  const panels = metrics.map((m) => ({
    title: { text: `${KIND_TITLES[m.kind] ?? metricName(m.metric)} ${m.better === 'higher' ? '↑' : '↓'}`, fontSize: 12, anchor: 'start' },
    ...panel(m, x, colour, several),
  }));
  const rows = Array.from({ length: Math.ceil(panels.length / 2) }, (_, i) => ({ hconcat: panels.slice(2 * i, 2 * i + 2) }));
  return {
    ...base(
      `Density: ${metricName(metrics.find((m) => m.kind === 'per guest')?.metric ?? metrics[0]!.metric.replace(/\.(sum|jain|min_max_ratio)$/, ''))}, guests at once on one host`,
      [
        `mean per point; bars: 95 % CI; n = ${n.length === 1 ? n[0] : `${n[0]}–${n.at(-1)}`} per point (per guest: every guest's repetitions)`,
        "Jain's index: 1 = every guest got the same, 1/N = one got everything; min/max: the smallest guest over the largest",
      ],
      `Density of ${workload}: the guests' sum, each guest's mean and the fairness over the guests against the number of guests running at once, per backend`,
    ),
    vconcat: rows,
    resolve: { scale: { color: 'shared' } },
  } as unknown as Spec;
}

function panel(m: DensityMetric, x: Encoding, colour: Encoding, several: boolean): object {
  const data = m.lines.flatMap((l) =>
    l.points.map((p) => ({
      backend: l.backend,
      line: l.configuration === '' ? l.variant : `${l.variant} ${l.configuration}`,
      guests: p.guests,
      value: round(p.mean),
      lo: round(p.lo),
      hi: round(p.hi),
      n: p.n,
    })),
  );
  const top = Math.max(...data.flatMap((d) => [d.value, d.hi]).filter((v): v is number => v !== null));
  const domain = FAIRNESS.has(m.kind) ? [0, 1.05] : [0, top > 0 ? top * 1.05 : 1];
  const y = { field: 'value', type: 'quantitative', title: unitLabel(m.unit) || 'no unit', scale: { domain }, axis: Y_AXIS };
  return curvePanel({ data, x, y, colour, several, width: WIDTH, height: HEIGHT, xTooltip: { field: 'guests', title: 'guests' } });
}
