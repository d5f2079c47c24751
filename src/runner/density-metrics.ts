import { JAIN_SUFFIX, MIN_MAX_SUFFIX } from '../results/fairness.ts';
import type { MetricDef, MetricValue } from '../workloads/workload.ts';

/**
 * The aggregates of one density repetition, over its N guests' values of the workload's
 * headline metric (its first, the default stop metric), named after it:
 * - `<metric>.sum`: what the host delivered in all (only for a metric where higher is
 *   better, a throughput: a sum of latencies means nothing);
 * - `<metric>.min_max_ratio`: the smallest guest's value over the largest's (whichever way
 *   the metric is better, the gap between the extremes), 1 when every guest got the same;
 * - `<metric>.jain`: Jain's fairness index (Σx)² / (N·Σx²), from 1/N (one guest got
 *   everything) to 1 (all equal).
 * Both fairness figures are 1 for a single guest, so N = 1 is the curve's start.
 */

export const SUM_SUFFIX = '.sum';
export { JAIN_SUFFIX, MIN_MAX_SUFFIX };

/** Jain's fairness index of non-negative values: (Σx)² / (N·Σx²); 1 when all are 0. */
export function jainIndex(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("Jain's index of no values");
  const sum = values.reduce((a, b) => a + b, 0);
  const squares = values.reduce((a, b) => a + b * b, 0);
  return squares === 0 ? 1 : (sum * sum) / (values.length * squares);
}

/** The smallest value over the largest (for either direction of better, the ratio of the two extremes); 1 when all are 0. */
export function minMaxRatio(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('min/max ratio of no values');
  const max = Math.max(...values);
  return max === 0 ? 1 : Math.min(...values) / max;
}

/** The aggregate metrics' definitions for a headline metric. */
export function densityMetricDefs(headline: MetricDef): MetricDef[] {
  return [
    ...(headline.better === 'higher'
      ? [
          {
            name: `${headline.name}${SUM_SUFFIX}`,
            unit: headline.unit,
            better: 'higher' as const,
            description: `${headline.description}, summed over the guests running at once`,
          },
        ]
      : []),
    {
      name: `${headline.name}${MIN_MAX_SUFFIX}`,
      unit: 'ratio',
      better: 'higher',
      description: `the smallest guest's ${headline.name} over the largest's, among the guests running at once (1: all equal)`,
    },
    {
      name: `${headline.name}${JAIN_SUFFIX}`,
      unit: 'ratio',
      better: 'higher',
      description: `Jain's fairness index of ${headline.name} over the guests running at once (1/N: one guest got everything; 1: all equal)`,
    },
  ];
}

/**
 * The aggregates of one repetition from each guest's values; none unless every guest
 * reported the headline metric (a guest that failed leaves no fair comparison).
 */
export function densityAggregates(headline: MetricDef, perGuest: readonly (readonly MetricValue[])[]): MetricValue[] {
  const values = perGuest.map((vs) => vs.find((v) => v.metric === headline.name)?.value);
  if (values.length === 0 || values.some((v) => v === undefined || !Number.isFinite(v) || v < 0)) return [];
  const xs = values as number[];
  return [
    ...(headline.better === 'higher' ? [{ metric: `${headline.name}${SUM_SUFFIX}`, value: xs.reduce((a, b) => a + b, 0) }] : []),
    { metric: `${headline.name}${MIN_MAX_SUFFIX}`, value: minMaxRatio(xs) },
    { metric: `${headline.name}${JAIN_SUFFIX}`, value: jainIndex(xs) },
  ];
}
