import { HvbError } from '../util/errors.ts';
import { allPositive, moments } from './moments.ts';
import { incompleteBeta } from './student-t.ts';

/**
 * Welch's two-sample t test, two-sided: on the logs of the values when every value is
 * positive (a test of the ratio of geometric means, the scale on which benchmark noise is
 * multiplicative), on the values otherwise (divided by the largest |x| first, so extreme
 * values do not overflow). p comes from the incomplete beta function directly, so it stays
 * accurate far into the tail; below P_FLOOR it is reported as P_FLOOR, never as 0.
 */

/** The smallest p-value reported; a t statistic beyond it says only "smaller than this". */
export const P_FLOOR = 1e-300;

export interface WelchResult {
  pValue: number;
  /** The t statistic (B − A); 0 when both sides are one constant. */
  t: number;
  df: number;
  /** `log`: on ln(x), every value being positive; `raw`: on the values. */
  scale: 'log' | 'raw';
}

/**
 * The test, or undefined when it cannot say anything: both sides without spread and
 * different (a t statistic needs a spread; the caller says so and may use another test).
 */
export function welchTest(a: readonly number[], b: readonly number[]): WelchResult | undefined {
  if (a.length < 2 || b.length < 2) throw new HvbError('stats-too-few', `Welch test: each side needs at least 2 values (a has ${a.length}, b has ${b.length})`);
  const log = allPositive(a) && allPositive(b);
  const scale = log ? 1 : Math.max(...a.map(Math.abs), ...b.map(Math.abs)) || 1;
  const f = (x: number) => (log ? Math.log(x) : x / scale);
  const ma = moments(a.map(f));
  const mb = moments(b.map(f));
  const va = ma.varScaled * ma.scale * ma.scale;
  const vb = mb.varScaled * mb.scale * mb.scale;
  const diff = mb.mean - ma.mean;
  const se2 = va / ma.n + vb / mb.n;
  const kind = log ? 'log' : 'raw';
  if (!(se2 > 0)) return diff === 0 ? { pValue: 1, t: 0, df: ma.n + mb.n - 2, scale: kind } : undefined;
  const t = diff / Math.sqrt(se2);
  const df = welchDf(va / ma.n, vb / mb.n, ma.n, mb.n);
  return { pValue: twoSidedP(t, df), t, df, scale: kind };
}

/**
 * Welch–Satterthwaite degrees of freedom from the two variance terms s²/n, written with
 * their share r of the sum so that tiny (denormal) terms do not give 0/0.
 */
export function welchDf(ta: number, tb: number, na: number, nb: number): number {
  const r = ta / (ta + tb);
  return 1 / ((r * r) / (na - 1) + ((1 - r) * (1 - r)) / (nb - 1));
}

/** P(|T| ≥ |t|) for T with df degrees of freedom, at least P_FLOOR. */
export function twoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return P_FLOOR;
  const p = incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return Math.min(1, Math.max(P_FLOOR, p));
}
