import { ratioCiLogT } from '../stats/ci.ts';
import { summarize, type Summary } from '../stats/summary.ts';
import type { Group, MetricGroups } from './groups.ts';

/**
 * The numbers behind a bar: the mean with its 95 % interval, either in the metric's unit
 * or normalised to a reference variant of the same column. Normalised, a bar is
 * mean(B) / mean(ref) with the Welch log-t interval of that ratio (the uncertainty of
 * both sides, as `hvbench compare`), the reference's own bar is 1 with its t interval
 * divided by its mean, and every raw value is divided by the reference mean.
 */

export interface Bar {
  group: Group;
  summary: Summary;
  /** What is plotted: the mean, or the ratio to the reference mean. */
  value: number;
  /** The 95 % interval of `value`; undefined for a single value (or a ratio without one). */
  lo: number | undefined;
  hi: number | undefined;
  /** The raw repetitions on the plotted scale. */
  points: number[];
  /** True when `value` is a ratio to the reference of the bar's column. */
  normalised: boolean;
}

export interface MetricBars {
  metric: MetricGroups;
  /** Every bar; normalised ones for the columns that have the reference, absolute ones for the others. */
  bars: Bar[];
  /** The variant the bars are normalised to, when at least one column has it. */
  reference: string | undefined;
  /** Why some or all columns are not normalised although a reference was asked for. */
  note: string | undefined;
}

/**
 * Bars for one metric, normalised per configuration: every column in which `reference` (a
 * variant or backend) has one series with a positive mean is shown as ratios to it; the
 * other columns keep their units, and the note names them.
 */
export function metricBars(metric: MetricGroups, reference: string | undefined): MetricBars {
  if (reference === undefined) return { metric, bars: metric.groups.map(absoluteBar), reference: undefined, note: undefined };
  const refs = new Map<string, Group>();
  const missing: string[] = [];
  for (const column of metric.columns) {
    const ref = referenceGroup(metric, column.key, reference);
    if (typeof ref === 'string') missing.push(`${column.label} (${ref})`);
    else refs.set(column.key, ref);
  }
  const bars = metric.groups.map((g) => {
    const ref = refs.get(g.columnKey);
    return ref ? normalisedBar(g, ref) : absoluteBar(g);
  });
  const refGroup = refs.values().next().value;
  const note =
    missing.length === 0
      ? undefined
      : refGroup === undefined
        ? `not normalised: ${missing.join('; ')}`
        : `partly not normalised (those values are in the summary table, in their unit): ${missing.join('; ')}`;
  return { metric, bars, reference: refGroup?.variant, note };
}

function absoluteBar(group: Group): Bar {
  const summary = summarize(group.values);
  return { group, summary, value: summary.mean, lo: summary.ci95?.lo, hi: summary.ci95?.hi, points: group.values, normalised: false };
}

/** Ratio to the reference mean; the interval of a ratio between two series, or of the reference's own mean. */
export function normalisedBar(group: Group, ref: Group): Bar {
  const summary = summarize(group.values);
  const refMean = mean(ref.values);
  const value = summary.mean / refMean;
  const points = group.values.map((v) => v / refMean);
  if (group === ref || group.variant === ref.variant)
    return { group, summary, value, lo: summary.ci95 && summary.ci95.lo / refMean, hi: summary.ci95 && summary.ci95.hi / refMean, points, normalised: true };
  if (group.values.length < 2 || ref.values.length < 2 || !(summary.mean > 0))
    return { group, summary, value, lo: undefined, hi: undefined, points, normalised: true };
  // A ratio beyond what a double holds has no interval: the bar is drawn without one, and its value says so.
  let ci: { lo: number; hi: number } | undefined;
  try {
    ci = ratioCiLogT(ref.values, group.values);
  } catch {
    ci = undefined;
  }
  return { group, summary, value, lo: ci?.lo, hi: ci?.hi, points, normalised: true };
}

/** The reference group of a column, or why there is none. */
function referenceGroup(metric: MetricGroups, columnKey: string, reference: string): Group | string {
  const inColumn = metric.groups.filter((g) => g.columnKey === columnKey);
  const byVariant = inColumn.filter((g) => g.variant === reference);
  const byBackend = inColumn.filter((g) => g.backend === reference);
  const ref = byVariant.length === 1 ? byVariant[0] : byBackend.length === 1 ? byBackend[0] : undefined;
  if (!ref)
    return byBackend.length > 1
      ? `several ${reference} variants (${byBackend.map((g) => g.variant).join(', ')}); name one with --reference`
      : `no ${reference} series`;
  if (!(mean(ref.values) > 0)) return `the ${reference} mean is not positive`;
  return ref;
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}
