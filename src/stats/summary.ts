import { max, mean, median, min, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import { HvbError } from '../util/errors.ts';

/** Descriptive statistics of one series of values (one case, one metric). */
export interface Summary {
  n: number;
  mean: number;
  median: number;
  /** Sample standard deviation (n − 1 in the denominator); undefined for n = 1. */
  sd: number | undefined;
  /** Coefficient of variation sd / |mean|, as a fraction; undefined for n = 1 or a zero mean. */
  cv: number | undefined;
  min: number;
  max: number;
  /** 90th percentile, interpolated linearly between neighbours (Hyndman–Fan type 7, as in R and numpy). */
  p90: number;
}

/** Summarises values; pure. Throws for an empty series or a value that is not a finite number. */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new HvbError('stats-empty', 'cannot summarise an empty series: expected at least 1 value, received 0');
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new HvbError('stats-value', `cannot summarise: values[${bad}] is ${values[bad]}, expected a finite number`);
  const xs = [...values];
  const sorted = [...values].sort((a, b) => a - b);
  const avg = mean(xs);
  const sd = xs.length > 1 ? sampleStandardDeviation(xs) : undefined;
  return {
    n: xs.length,
    mean: avg,
    median: median(sorted),
    sd,
    cv: sd === undefined || avg === 0 ? undefined : sd / Math.abs(avg),
    min: min(xs),
    max: max(xs),
    p90: quantileSorted(sorted, 0.9),
  };
}
