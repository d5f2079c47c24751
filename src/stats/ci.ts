import { HvbError } from '../util/errors.ts';
import { allPositive, logMean, moments, ratioOfMeans, type Moments } from './moments.ts';
import { tQuantile } from './student-t.ts';
import { welchDf } from './welch.ts';

/** A confidence interval. */
export interface Interval {
  lo: number;
  hi: number;
  /** Coverage, e.g. 0.95. */
  level: number;
  /**
   * How it was computed: `t` (Student, mean ± t·sem), `log-t` (a t interval on the log
   * scale: of the mean of positive values, or Welch's of a ratio of means), `bootstrap`
   * (percentile).
   */
  method: 't' | 'log-t' | 'bootstrap';
}

/**
 * Confidence interval of the mean: mean ± t(1 − (1 − level)/2, n − 1) · sd / √n.
 * Needs n ≥ 2. Exact for normal data; it can reach below 0, so for positive quantities
 * `positiveMeanCi` is the one to show. Undefined when a bound exceeds the range of a double.
 */
export function meanCi(values: readonly number[], level = 0.95): Interval | undefined {
  const m = checkedMoments(values, level, 'a confidence interval of the mean');
  const half = tQuantile(1 - (1 - level) / 2, m.n - 1) * Math.sqrt(m.varScaled / m.n);
  const lo = (m.meanScaled - half) * m.scale;
  const hi = (m.meanScaled + half) * m.scale;
  return Number.isFinite(lo) && Number.isFinite(hi) ? { lo, hi, level, method: 't' } : undefined;
}

/**
 * Confidence interval of the mean of positive values, on the log scale: the delta method
 * gives ln(mean) a standard error of cv/√n, so the interval is mean · exp(±t · cv/√n),
 * t with n − 1 degrees of freedom. It never reaches 0, is close to the t interval when the
 * spread is small, and widens upwards when it is large (n = 2–3). Undefined when the
 * upper bound exceeds the range of a double.
 */
export function positiveMeanCi(values: readonly number[], level = 0.95): Interval | undefined {
  const m = checkedMoments(values, level, 'a confidence interval of the mean');
  if (!allPositive(values)) throw new HvbError('stats-value', 'a log-scale interval of the mean needs values that are all > 0');
  const half = (tQuantile(1 - (1 - level) / 2, m.n - 1) * Math.sqrt(m.varScaled / m.n)) / m.meanScaled;
  const center = logMean(m);
  const lo = Math.exp(center - half);
  const hi = Math.exp(center + half);
  return Number.isFinite(hi) && lo > 0 ? { lo, hi, level, method: 'log-t' } : undefined;
}

/** The interval of the mean a summary shows: on the log scale for positive values, Student t otherwise. */
export function summaryCi(values: readonly number[], level = 0.95): Interval | undefined {
  return allPositive(values) ? positiveMeanCi(values, level) : meanCi(values, level);
}

/**
 * Half-width of the t interval of the mean relative to |mean| (0.01 = ±1 %); Infinity
 * for fewer than 2 values or a zero mean. What the stopping rule compares to its target.
 */
export function relativeCiHalfWidth(values: readonly number[], level = 0.95): number {
  if (values.length < 2) return Infinity;
  const m = checkedMoments(values, level, 'a confidence interval of the mean');
  if (m.meanScaled === 0) return Infinity;
  return (tQuantile(1 - (1 - level) / 2, m.n - 1) * Math.sqrt(m.varScaled / m.n)) / Math.abs(m.meanScaled);
}

/**
 * Confidence interval of mean(b) / mean(a) from a t interval on the log of the ratio
 * (delta method: var ≈ s_a²/(n_a·m_a²) + s_b²/(n_b·m_b²), Welch–Satterthwaite degrees of
 * freedom), transformed back. Needs n ≥ 2 on each side and positive means. Every term is
 * scale-free, so values near the limits of a double do not overflow; a ratio or bound
 * that does not fit a double throws 'stats-range'.
 */
export function ratioCiLogT(a: readonly number[], b: readonly number[], level = 0.95): Interval {
  checkLevel(level);
  const sa = ratioSide(a, 'a');
  const sb = ratioSide(b, 'b');
  const va = sa.varScaled / (sa.n * sa.meanScaled * sa.meanScaled);
  const vb = sb.varScaled / (sb.n * sb.meanScaled * sb.meanScaled);
  const logRatio = logMean(sb) - logMean(sa);
  const se = Math.sqrt(va + vb);
  const half = se === 0 ? 0 : tQuantile(1 - (1 - level) / 2, welchDf(va, vb, sa.n, sb.n)) * se;
  const ratio = ratioOfMeans(sa, sb);
  const lo = ratio * Math.exp(-half);
  const hi = ratio * Math.exp(half);
  if (!(lo > 0 && Number.isFinite(hi))) {
    throw new HvbError(
      'stats-range',
      `the interval of the ratio of means, exp(${logRatio.toPrecision(4)} ± ${half.toPrecision(4)}), exceeds the range of a double`,
    );
  }
  return se === 0 ? { lo: ratio, hi: ratio, level, method: 'log-t' } : { lo, hi, level, method: 'log-t' };
}

function ratioSide(xs: readonly number[], side: string): Moments {
  if (xs.length < 2) throw new HvbError('stats-too-few', `a ratio interval needs at least 2 values on each side, side ${side} has ${xs.length}`);
  const m = moments(xs);
  if (!(m.meanScaled > 0)) throw new HvbError('stats-value', `a ratio interval needs positive means, side ${side} has mean ${m.mean}`);
  return m;
}

function checkedMoments(values: readonly number[], level: number, what: string): Moments {
  const n = values.length;
  if (n < 2) throw new HvbError('stats-too-few', `${what} needs at least 2 values, received ${n}`);
  checkLevel(level);
  return moments(values);
}

export function checkLevel(level: number): void {
  if (!(level > 0 && level < 1))
    throw new HvbError('stats-argument', `confidence level: expected a fraction strictly between 0 and 1 (e.g. 0.95), received ${level}`);
}
