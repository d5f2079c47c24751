/**
 * The values a sample may hold. Every metric hvbench measures is a count, a rate, a time
 * or a size: never negative (but for the signed readings below), and bounded far below what a double can hold. A value
 * outside that range is not a measurement but damage (a parser bug, a hand-edited
 * file), and it would break the statistics (1e308² is Infinity, 5e-324 underflows), so
 * it is refused when written and left out, with a warning, when read.
 */

/** Largest magnitude accepted: 10¹⁵ (a petabyte per second, a billion seconds). */
export const MAX_SAMPLE_VALUE = 1e15;

/** Smallest non-zero magnitude accepted: 10⁻¹⁵ (below a femtosecond, a femto-anything). */
export const MIN_NONZERO_SAMPLE_VALUE = 1e-15;

/**
 * Readings that have a sign: the guest's clock against the host's (positive: it ran fast).
 * They describe a case's conditions rather than its performance, so they are never a series
 * of their own in compare, report or history (a ratio of two drifts means nothing); the
 * sanity flags read them.
 */
export const SIGNED_METRICS: ReadonlySet<string> = new Set(['guest.clock_drift_ppm']);

export function isSignedMetric(metric: string): boolean {
  return SIGNED_METRICS.has(metric);
}

/** Why `value` cannot be the value of a sample of `metric`, or undefined when it can. */
export function sampleValueProblem(value: number, metric: string): string | undefined {
  if (!Number.isFinite(value)) return `value ${String(value)} is not a finite number`;
  if (value < 0 && !isSignedMetric(metric)) return `value ${value} is negative; no metric of hvbench but ${[...SIGNED_METRICS].join(', ')} can be`;
  value = Math.abs(value);
  if (value > MAX_SAMPLE_VALUE) return `value ${value} is above ${MAX_SAMPLE_VALUE}, more than any metric can measure`;
  if (value !== 0 && value < MIN_NONZERO_SAMPLE_VALUE)
    return `value ${value} is below ${MIN_NONZERO_SAMPLE_VALUE} (and not 0), finer than any metric can measure`;
  return undefined;
}

/** −0 as 0 (JSON writes both as `0`, but `-0` in a file reads back as −0). */
export function normaliseZero(value: number): number {
  return Object.is(value, -0) ? 0 : value;
}
