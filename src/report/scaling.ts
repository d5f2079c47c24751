import type { Better } from '../results/sample.ts';
import { curveLines } from './curve-lines.ts';
import type { MetricGroups } from './groups.ts';
import { metricFamily, metricTitle } from './metric-names.ts';
import { metricBars, type Bar } from './normalise.ts';
import { sortVariants } from './palette.ts';

/**
 * How each backend scales with the guest: every metric of a workload against the guest's
 * vCPUs (`guest: { vcpus: [1, 2, 4] }`), one line per variant, both in the metric's unit and
 * as the ratio to the reference (native, which runs as many threads). Only when the runs
 * measured a workload at more than one vCPU count. The figures are the report's bars: the
 * mean with its t interval, and the ratio of means with the Welch log-t interval of the
 * ratio (normalise.ts), so the curves, the bar charts and the tables agree.
 *
 * A parameter that follows the vCPUs (`threads: 'vcpus'`: equal to the vCPU count in each of
 * a line's points) does not split the line; a parameter set apart from the vCPUs does.
 */

export interface ScalingPoint {
  vcpus: number;
  n: number;
  /** Mean in the metric's unit, with its 95 % interval. */
  mean: number;
  lo: number | undefined;
  hi: number | undefined;
  /** Mean ÷ the reference's mean at the same vCPUs and configuration, with its 95 % interval; absent without the reference there. */
  ratio?: { value: number; lo: number | undefined; hi: number | undefined };
}

export interface ScalingLine {
  variant: string;
  backend: string;
  /** What else tells this line apart from the metric's other lines (`memory (MiB)=2048`), '' when nothing does. */
  configuration: string;
  /** The parameters equal to the vCPU count at every point (`threads`). */
  following: string[];
  points: ScalingPoint[];
}

export interface ScalingMetric {
  workload: string;
  metric: string;
  /** `CPU: sysbench events (events/s)`. */
  title: string;
  unit: string;
  better: Better;
  lines: ScalingLine[];
}

export interface Scaling {
  /** The variant the ratios are to (native); undefined when there is none. */
  reference: string | undefined;
  /** Variants with a line, in the palette's order. */
  variants: string[];
  /** Every vCPU count measured, ascending. */
  vcpus: number[];
  /** Workloads with curves, in the order their metrics came: one figure each. */
  workloads: string[];
  metrics: ScalingMetric[];
}

/**
 * The scaling section's model, or undefined when no workload ran at two vCPU counts.
 * `reference`: the variant ratios are taken to (the report's).
 */
export function buildScaling(metrics: readonly MetricGroups[], reference: string | undefined): Scaling | undefined {
  const out: ScalingMetric[] = [];
  for (const m of metrics) {
    const own = m.groups.filter((g) => metricFamily(g.metric) === g.dims.workload && typeof g.dims.vcpus === 'number');
    if (new Set(own.map((g) => g.dims.vcpus)).size < 2) continue;
    const absolute = new Map(metricBars(m, undefined).bars.map((b) => [b.group, b]));
    const normalised = reference === undefined ? undefined : new Map(metricBars(m, reference).bars.map((b) => [b.group, b]));
    // A deviceless reference stands in several device columns: one line per series, not per column.
    const seen = new Set<string>();
    const series = own.filter((g) => {
      const key = JSON.stringify([g.variant, g.dims]);
      return !seen.has(key) && seen.add(key);
    });
    for (const workload of new Set(series.map((g) => String(g.dims.workload)))) {
      const lines = linesOf(
        series.filter((g) => g.dims.workload === workload),
        absolute,
        normalised,
      );
      if (!lines.some((l) => l.points.length > 1)) continue;
      out.push({ workload, metric: m.metric, title: metricTitle(m.metric, m.unit), unit: m.unit, better: m.better, lines });
    }
  }
  if (out.length === 0) return undefined;
  const all = out.flatMap((m) => m.lines);
  const variants = sortVariants(all);
  for (const m of out) m.lines.sort((a, b) => variants.indexOf(a.variant) - variants.indexOf(b.variant) || (a.configuration < b.configuration ? -1 : 1));
  const anyRatio = all.some((l) => l.points.some((p) => p.ratio !== undefined));
  return {
    reference: anyRatio ? reference : undefined,
    variants,
    vcpus: [...new Set(all.flatMap((l) => l.points.map((p) => p.vcpus)))].sort((a, b) => a - b),
    workloads: [...new Set(out.map((m) => m.workload))],
    metrics: out,
  };
}

type Group = MetricGroups['groups'][number];

function linesOf(groups: readonly Group[], absolute: Map<Group, Bar>, normalised: Map<Group, Bar> | undefined): ScalingLine[] {
  // Parameters equal to the vCPU count in every series of the workload follow it: they do not split a line.
  const params = [...new Set(groups.flatMap((g) => Object.keys(g.dims)))].filter((k) => k.startsWith('param.'));
  const following = params.filter((k) => groups.every((g) => g.dims[k] === g.dims.vcpus));
  return curveLines(groups, (k) => k === 'vcpus' || following.includes(k)).map((l) => ({
    variant: l.variant,
    backend: l.backend,
    configuration: l.configuration,
    following: following.map((k) => k.slice('param.'.length)),
    points: l.groups.map((g) => pointOf(g, absolute.get(g)!, normalised?.get(g))).sort((a, b) => a.vcpus - b.vcpus),
  }));
}

function pointOf(group: Group, absolute: Bar, normalised: Bar | undefined): ScalingPoint {
  return {
    vcpus: group.dims.vcpus as number,
    n: group.values.length,
    mean: absolute.value,
    lo: absolute.lo,
    hi: absolute.hi,
    ...(normalised?.normalised ? { ratio: { value: normalised.value, lo: normalised.lo, hi: normalised.hi } } : {}),
  };
}
