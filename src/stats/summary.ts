import { max, mean, median, min, quantileSorted, sampleStandardDeviation } from 'simple-statistics';
import { HvbError } from '../util/errors.ts';
import { meanCi, type Interval } from './ci.ts';

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
  /** Percentiles of the same kind; p50 is the median. */
  p50: number;
  p99: number;
  /** Standard error of the mean, sd / √n; undefined for n = 1. */
  sem: number | undefined;
  /** Median absolute deviation from the median (not scaled; × 1.4826 estimates sd for normal data). */
  mad: number;
  /**
   * 95 % confidence interval of the mean, Student t with n − 1 degrees of freedom;
   * undefined for n = 1. See docs/statistics.md for why t and not a bootstrap here.
   */
  ci95: Interval | undefined;
}

/** Summarises values; pure. Throws for an empty series or a value that is not a finite number. */
export function summarize(values: readonly number[]): Summary {
  checkValues(values, 'summarise');
  const xs = [...values];
  const sorted = [...values].sort((a, b) => a - b);
  const avg = mean(xs);
  const sd = xs.length > 1 ? sampleStandardDeviation(xs) : undefined;
  const mid = median(sorted);
  return {
    n: xs.length,
    mean: avg,
    median: mid,
    sd,
    cv: sd === undefined || avg === 0 ? undefined : sd / Math.abs(avg),
    min: min(xs),
    max: max(xs),
    p90: quantileSorted(sorted, 0.9),
    p50: mid,
    p99: quantileSorted(sorted, 0.99),
    sem: sd === undefined ? undefined : sd / Math.sqrt(xs.length),
    mad: median(xs.map((x) => Math.abs(x - mid))),
    ci95: xs.length > 1 ? meanCi(xs, 0.95) : undefined,
  };
}

/** Throws a clear error for an empty series or a value that is not a finite number. */
export function checkValues(values: readonly number[], what: string): void {
  if (values.length === 0) throw new HvbError('stats-empty', `cannot ${what} an empty series: expected at least 1 value, received 0`);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new HvbError('stats-value', `cannot ${what}: values[${bad}] is ${values[bad]}, expected a finite number`);
}
