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
}

export interface MetricBars {
  metric: MetricGroups;
  bars: Bar[];
  /** The variant the bars are normalised to, when they are. */
  reference: string | undefined;
  /** Why the bars are not normalised although a reference was asked for. */
  note: string | undefined;
}

/** Bars for one metric; normalised when `reference` (a variant or backend) is in every column with a positive mean. */
export function metricBars(metric: MetricGroups, reference: string | undefined): MetricBars {
  const refs = reference === undefined ? undefined : referenceGroups(metric, reference);
  if (refs === undefined || typeof refs === 'string') {
    return { metric, bars: metric.groups.map(absoluteBar), reference: undefined, note: typeof refs === 'string' ? refs : undefined };
  }
  const bars = metric.groups.map((g) => normalisedBar(g, refs.get(g.columnKey)!));
  return { metric, bars, reference: refs.get(metric.groups[0]!.columnKey)!.variant, note: undefined };
}

function absoluteBar(group: Group): Bar {
  const summary = summarize(group.values);
  return { group, summary, value: summary.mean, lo: summary.ci95?.lo, hi: summary.ci95?.hi, points: group.values };
}

/** Ratio to the reference mean; the interval of a ratio between two series, or of the reference's own mean. */
export function normalisedBar(group: Group, ref: Group): Bar {
  const summary = summarize(group.values);
  const refMean = mean(ref.values);
  const value = summary.mean / refMean;
  const points = group.values.map((v) => v / refMean);
  if (group === ref) return { group, summary, value, lo: summary.ci95 && summary.ci95.lo / refMean, hi: summary.ci95 && summary.ci95.hi / refMean, points };
  if (group.values.length < 2 || ref.values.length < 2 || !(summary.mean > 0)) return { group, summary, value, lo: undefined, hi: undefined, points };
  const ci = ratioCiLogT(ref.values, group.values);
  return { group, summary, value, lo: ci.lo, hi: ci.hi, points };
}

/** The reference group of every column, or why there is none (a message). */
function referenceGroups(metric: MetricGroups, reference: string): Map<string, Group> | string {
  const out = new Map<string, Group>();
  for (const column of metric.columns) {
    const inColumn = metric.groups.filter((g) => g.columnKey === column.key);
    const byVariant = inColumn.filter((g) => g.variant === reference);
    const byBackend = inColumn.filter((g) => g.backend === reference);
    const ref = byVariant.length === 1 ? byVariant[0] : byBackend.length === 1 ? byBackend[0] : undefined;
    if (!ref) {
      const why = byBackend.length > 1 ? `several ${reference} variants (${byBackend.map((g) => g.variant).join(', ')}); name one with --reference` : `no ${reference} series`;
      return `${metric.metric}: not normalised: ${column.label} has ${why}`;
    }
    if (!(mean(ref.values) > 0)) return `${metric.metric}: not normalised: the ${reference} mean of ${column.label} is not positive`;
    out.set(column.key, ref);
  }
  return out;
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}
