import { HvbError } from '../util/errors.ts';
import { tQuantile } from './student-t.ts';

/** A confidence interval. */
export interface Interval {
  lo: number;
  hi: number;
  /** Coverage, e.g. 0.95. */
  level: number;
  /** How it was computed: `t` (Student), `log-t` (Welch on the log ratio), `bootstrap` (percentile). */
  method: 't' | 'log-t' | 'bootstrap';
}

/**
 * Confidence interval of the mean: mean ± t(1 − (1 − level)/2, n − 1) · sd / √n.
 * Needs n ≥ 2. Exact for normal data; each hvbench value is itself an average over many
 * events (or one boot), so the t interval is the textbook choice at the small n of a
 * benchmark, where bootstrap percentile intervals are known to be too narrow.
 */
export function meanCi(values: readonly number[], level = 0.95): Interval {
  const n = values.length;
  if (n < 2) throw new HvbError('stats-too-few', `a confidence interval of the mean needs at least 2 values, received ${n}`);
  checkLevel(level);
  let sum = 0;
  for (const v of values) sum += v;
  const m = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * Math.sqrt(ss / (n - 1) / n);
  return { lo: m - half, hi: m + half, level, method: 't' };
}

/**
 * Half-width of the t interval of the mean relative to |mean| (0.01 = ±1 %); Infinity
 * for fewer than 2 values or a zero mean. What the stopping rule compares to its target.
 */
export function relativeCiHalfWidth(values: readonly number[], level = 0.95): number {
  if (values.length < 2) return Infinity;
  const ci = meanCi(values, level);
  const m = (ci.lo + ci.hi) / 2;
  return m === 0 ? Infinity : (ci.hi - ci.lo) / 2 / Math.abs(m);
}

/**
 * Confidence interval of mean(b) / mean(a) from a t interval on the log of the ratio
 * (delta method: var ≈ s_a²/(n_a·m_a²) + s_b²/(n_b·m_b²), Welch–Satterthwaite degrees of
 * freedom), transformed back. Needs n ≥ 2 on each side and positive means.
 */
export function ratioCiLogT(a: readonly number[], b: readonly number[], level = 0.95): Interval {
  checkLevel(level);
  const sa = moments(a, 'a');
  const sb = moments(b, 'b');
  const va = sa.variance / (sa.n * sa.mean * sa.mean);
  const vb = sb.variance / (sb.n * sb.mean * sb.mean);
  const ratio = sb.mean / sa.mean;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { lo: ratio, hi: ratio, level, method: 'log-t' };
  const df = (va + vb) ** 2 / (va * va / (sa.n - 1) + vb * vb / (sb.n - 1));
  const half = tQuantile(1 - (1 - level) / 2, df) * se;
  return { lo: ratio * Math.exp(-half), hi: ratio * Math.exp(half), level, method: 'log-t' };
}

function moments(xs: readonly number[], side: string): { n: number; mean: number; variance: number } {
  const n = xs.length;
  if (n < 2) throw new HvbError('stats-too-few', `a ratio interval needs at least 2 values on each side, side ${side} has ${n}`);
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  if (!(mean > 0)) throw new HvbError('stats-value', `a ratio interval needs positive means, side ${side} has mean ${mean}`);
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  return { n, mean, variance: ss / (n - 1) };
}

export function checkLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new HvbError('stats-argument', `confidence level: expected a fraction strictly between 0 and 1 (e.g. 0.95), received ${level}`);
}
