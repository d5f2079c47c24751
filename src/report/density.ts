import { ratioCiLogT } from '../stats/ci.ts';
import type { Better } from '../results/sample.ts';
import { curveLines } from './curve-lines.ts';
import type { MetricGroups } from './groups.ts';
import { metricFamily, metricName, metricTitle, unitLabel } from './metric-names.ts';
import { metricBars, type Bar } from './normalise.ts';
import { sortVariants } from './palette.ts';

/**
 * How many fit: the aggregates of density cases (`guests: [1, 2, 4]`, runner/density.ts)
 * against the number of guests running at once, one line per variant: the sum of the
 * headline metric over the guests (`<metric>.sum`, the host's total throughput), each guest's
 * own mean (the headline metric itself, every guest's samples pooled), and the fairness
 * figures (`<metric>.jain`, `<metric>.min_max_ratio`). Only when the runs measured a
 * workload at more than one guest count, or with a noisy neighbour: then also the
 * interference penalty, the measured guests' mean beside the neighbour over the quiet case's. The figures are the report's bars: the mean with
 * its t interval (normalise.ts), so the curves and the tables agree.
 */

/** The aggregate suffixes the runner writes (runner/density-metrics.ts), in the order the report shows them. */
const AGGREGATES = ['.sum', '.jain', '.min_max_ratio'] as const;

export interface DensityPoint {
  guests: number;
  n: number;
  mean: number;
  lo: number | undefined;
  hi: number | undefined;
}

export interface DensityLine {
  variant: string;
  backend: string;
  /** What else tells this line apart from the metric's other lines, '' when nothing does. */
  configuration: string;
  points: DensityPoint[];
}

export interface DensityMetric {
  workload: string;
  metric: string;
  /** `sum`, `jain`, `min_max_ratio`, or `per guest` for the headline metric itself. */
  kind: string;
  title: string;
  unit: string;
  better: Better;
  lines: DensityLine[];
}

/**
 * The interference penalty of a noisy neighbour: the measured guests' mean of the headline
 * metric beside a stress-ng load in guest 0 (`neighbour: 'stress'`), over the mean of the
 * same case's guests without one, at the same guest count.
 */
export interface DensityPenalty {
  workload: string;
  metric: string;
  variant: string;
  guests: number;
  /** Mean with the neighbour ÷ mean without, with the Welch log-t 95 % interval of the ratio (absent below n = 2 a side). */
  ratio: number;
  lo: number | undefined;
  hi: number | undefined;
  /** Values with and without the neighbour. */
  n: { noisy: number; quiet: number };
}

export interface Density {
  /** Variants with a line, in the palette's order. */
  variants: string[];
  /** Every guest count measured, ascending. */
  guests: number[];
  /** Workloads with curves: one figure each. */
  workloads: string[];
  metrics: DensityMetric[];
  /** Noisy neighbours against the same cases without one; empty when the runs had none. */
  penalties: DensityPenalty[];
}

/** The density section's model, or undefined when no workload ran at two guest counts. */
export function buildDensity(metrics: readonly MetricGroups[]): Density | undefined {
  const names = new Set(metrics.map((m) => m.metric));
  const kindOf = (metric: string): string | undefined => {
    const suffix = AGGREGATES.find((s) => metric.endsWith(s) && names.has(metric.slice(0, -s.length)));
    if (suffix) return suffix.slice(1);
    return AGGREGATES.some((s) => names.has(`${metric}${s}`)) ? 'per guest' : undefined;
  };
  const out: DensityMetric[] = [];
  const penalties: DensityPenalty[] = [];
  for (const m of metrics) {
    const kind = kindOf(m.metric);
    if (kind === undefined) continue;
    const own = m.groups.filter((g) => metricFamily(g.metric) === g.dims.workload && typeof g.dims.guests === 'number');
    if (kind === 'per guest') penalties.push(...penaltiesOf(m.metric, own));
    // A curve needs two guest counts, or a neighbour to set against the quiet case.
    if (new Set(own.map((g) => g.dims.guests)).size < 2 && !own.some((g) => g.dims.neighbour !== undefined)) continue;
    const absolute = new Map(metricBars(m, undefined).bars.map((b) => [b.group, b]));
    for (const workload of new Set(own.map((g) => String(g.dims.workload)))) {
      const lines = linesOf(
        own.filter((g) => g.dims.workload === workload),
        absolute,
      );
      if (!lines.some((l) => l.points.length > 1) && lines.length < 2) continue;
      const title =
        kind === 'per guest' ? `${metricName(m.metric)}, each guest${m.unit === '' ? '' : ` (${unitLabel(m.unit)})`}` : metricTitle(m.metric, m.unit);
      out.push({ workload, metric: m.metric, kind, title, unit: m.unit, better: m.better, lines });
    }
  }
  if (out.length === 0) return undefined;
  const order = (k: string) => ['sum', 'per guest', 'jain', 'min_max_ratio'].indexOf(k);
  out.sort((a, b) => (a.workload === b.workload ? order(a.kind) - order(b.kind) : 0));
  const all = out.flatMap((m) => m.lines);
  const variants = sortVariants(all);
  for (const m of out) m.lines.sort((a, b) => variants.indexOf(a.variant) - variants.indexOf(b.variant) || (a.configuration < b.configuration ? -1 : 1));
  return {
    variants,
    guests: [...new Set(all.flatMap((l) => l.points.map((p) => p.guests)))].sort((a, b) => a - b),
    workloads: [...new Set(out.map((m) => m.workload))],
    metrics: out,
    penalties,
  };
}

/** Each group with a neighbour against the group of the same variant and dimensions without one. */
function penaltiesOf(metric: string, groups: readonly Group[]): DensityPenalty[] {
  const quietKey = (g: Group) =>
    JSON.stringify([
      g.variant,
      Object.entries(g.dims)
        .filter(([k]) => k !== 'neighbour')
        .sort(([a], [b]) => (a < b ? -1 : 1)),
    ]);
  const quiet = new Map(groups.filter((g) => g.dims.neighbour === undefined).map((g) => [quietKey(g), g]));
  return groups.flatMap((g) => {
    const q = g.dims.neighbour === undefined ? undefined : quiet.get(quietKey(g));
    if (!q) return [];
    const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratio = mean(g.values) / mean(q.values);
    let ci: { lo: number; hi: number } | undefined;
    try {
      ci = g.values.length >= 2 && q.values.length >= 2 ? ratioCiLogT(q.values, g.values) : undefined;
    } catch {
      ci = undefined; // a mean of 0, or values at the limits of a double: the ratio alone
    }
    return [
      {
        workload: String(g.dims.workload),
        metric,
        variant: g.variant,
        guests: g.dims.guests as number,
        ratio,
        lo: ci?.lo,
        hi: ci?.hi,
        n: { noisy: g.values.length, quiet: q.values.length },
      },
    ];
  });
}

type Group = MetricGroups['groups'][number];

function linesOf(groups: readonly Group[], absolute: Map<Group, Bar>): DensityLine[] {
  return curveLines(groups, (k) => k === 'guests').map((l) => ({
    variant: l.variant,
    backend: l.backend,
    configuration: l.configuration,
    points: l.groups.map((g) => pointOf(g, absolute.get(g)!)).sort((a, b) => a.guests - b.guests),
  }));
}

function pointOf(group: Group, bar: Bar): DensityPoint {
  return { guests: group.dims.guests as number, n: group.values.length, mean: bar.value, lo: bar.lo, hi: bar.hi };
}
