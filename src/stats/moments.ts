/**
 * Mean and variance that survive the whole range of doubles. Values are divided by the
 * largest |x| before anything is summed, so 1e308 × 10 does not overflow to Infinity and
 * 5e-324 does not vanish; the results keep that scale apart (`scale`, and the mean and
 * variance of x / scale), and only figures that fit a double are multiplied back.
 */

export interface Moments {
  n: number;
  /** max |x|; 0 when every value is 0 (or −0). */
  scale: number;
  /** mean(x / scale), in [−1, 1]; 0 when scale is 0. */
  meanScaled: number;
  /** Sample variance (n − 1) of x / scale; 0 for n < 2. */
  varScaled: number;
  /** The mean itself (always finite: |mean| ≤ max |x|). */
  mean: number;
}

export function moments(xs: readonly number[]): Moments {
  const n = xs.length;
  let scale = 0;
  for (const x of xs) scale = Math.max(scale, Math.abs(x));
  if (n === 0 || scale === 0) return { n, scale: 0, meanScaled: 0, varScaled: 0, mean: 0 };
  let sum = 0;
  for (const x of xs) sum += x / scale;
  const meanScaled = sum / n;
  let ss = 0;
  for (const x of xs) {
    const d = x / scale - meanScaled;
    ss += d * d;
  }
  // −0 means 0: a mean of −0 would print as "-0".
  const mean = meanScaled * scale + 0;
  return { n, scale, meanScaled, varScaled: n > 1 ? ss / (n - 1) : 0, mean };
}

/** Sample standard deviation, or undefined for n < 2 or one that exceeds the range of a double. */
export function sdOf(m: Moments): number | undefined {
  if (m.n < 2) return undefined;
  const sd = Math.sqrt(m.varScaled) * m.scale;
  return Number.isFinite(sd) ? sd : undefined;
}

/** sd / |mean| (scale-free); undefined for n < 2, a zero mean, or a ratio beyond a double. */
export function cvOf(m: Moments): number | undefined {
  if (m.n < 2 || m.meanScaled === 0) return undefined;
  const cv = Math.sqrt(m.varScaled) / Math.abs(m.meanScaled);
  return Number.isFinite(cv) ? cv : undefined;
}

/** ln(mean) for a positive mean, without forming a product that could overflow. */
export function logMean(m: Moments): number {
  return Math.log(m.meanScaled) + Math.log(m.scale);
}

/** Whether every value is a finite number greater than 0. */
export function allPositive(xs: readonly number[]): boolean {
  return xs.length > 0 && xs.every((x) => x > 0 && Number.isFinite(x));
}

/** Type-7 quantile of an ascending array, interpolated as (1 − h)·a + h·b so that it never overflows. */
export function quantileSorted(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const f = h - lo;
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return f === 0 || a === b ? a : (1 - f) * a + f * b;
}

/** mean(b) / mean(a) for positive means: a plain division when it fits, else through logs (0 or Infinity when it does not fit a double). */
export function ratioOfMeans(a: Moments, b: Moments): number {
  const direct = b.mean / a.mean;
  if (direct > 0 && Number.isFinite(direct) && a.mean >= 1e-300 && b.mean >= 1e-300) return direct;
  return Math.exp(logMean(b) - logMean(a));
}
