import { HvbError } from '../util/errors.ts';
import { summaryCi, type Interval } from './ci.ts';
import { cvOf, moments, quantileSorted, sdOf } from './moments.ts';

/** Descriptive statistics of one series of values (one case, one metric). */
export interface Summary {
  n: number;
  mean: number;
  median: number;
  /** Sample standard deviation (n − 1 in the denominator); undefined for n = 1 (or beyond a double, see `note`). */
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
  mad: number | undefined;
  /**
   * 95 % confidence interval of the mean; undefined for n = 1. When every value is
   * positive it is computed on the log scale (`log-t`) and stays above 0; otherwise
   * Student t with n − 1 degrees of freedom. See docs/statistics.md.
   */
  ci95: Interval | undefined;
  /** Why a figure is missing although n ≥ 2 (values near the limits of a double). */
  note?: string;
}

/** Summarises values; pure. Throws for an empty series or a value that is not a finite number. */
export function summarize(values: readonly number[]): Summary {
  checkValues(values, 'summarise');
  const n = values.length;
  const sorted = [...values].sort((a, b) => a - b);
  const m = moments(values);
  const median = quantileSorted(sorted, 0.5) + 0;
  const sd = sdOf(m);
  // Deviations from the median, scaled like the moments so that they cannot overflow.
  // Deviations from the median; scaled like the moments only when they would overflow.
  const direct = values.map((x) => Math.abs(x - median));
  const scale = direct.every(Number.isFinite) ? 1 : m.scale;
  const deviations = (scale === 1 ? direct : values.map((x) => Math.abs(x / scale - median / scale))).sort((a, b) => a - b);
  const madValue = quantileSorted(deviations, 0.5) * scale;
  const mad = Number.isFinite(madValue) ? madValue : undefined;
  const ci95 = n > 1 ? summaryCi(values, 0.95) : undefined;
  const missing =
    n > 1
      ? [sd === undefined && 'sd', mad === undefined && 'MAD', ci95 === undefined && 'the 95 % interval'].filter((x): x is string => typeof x === 'string')
      : [];
  return {
    n,
    mean: m.mean,
    median,
    sd,
    cv: cvOf(m),
    min: sorted[0]! + 0,
    max: sorted[n - 1]! + 0,
    p90: quantileSorted(sorted, 0.9) + 0,
    p50: median,
    p99: quantileSorted(sorted, 0.99) + 0,
    sem: sd === undefined ? undefined : sd / Math.sqrt(n),
    mad,
    ci95,
    ...(missing.length > 0
      ? { note: `${missing.join(', ')} not computable: the values span more than the range of a double (largest |x| ${m.scale.toPrecision(3)})` }
      : {}),
  };
}

/** Throws a clear error for an empty series or a value that is not a finite number. */
export function checkValues(values: readonly number[], what: string): void {
  if (values.length === 0) throw new HvbError('stats-empty', `cannot ${what} an empty series: expected at least 1 value, received 0`);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new HvbError('stats-value', `cannot ${what}: values[${bad}] is ${values[bad]}, expected a finite number`);
}
