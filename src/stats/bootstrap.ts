import { HvbError } from '../util/errors.ts';
import { checkLevel, type Interval } from './ci.ts';
import { mulberry32 } from './prng.ts';

export interface BootstrapOptions {
  /** Resamples drawn; default 10 000. */
  resamples?: number;
  level?: number;
  /** Seed of the generator; recorded by the caller so the interval can be reproduced. */
  seed: number;
}

export const DEFAULT_BOOTSTRAP_RESAMPLES = 10_000;

/**
 * Percentile bootstrap interval of mean(b) / mean(a): both series are resampled with
 * replacement, independently, `resamples` times; the interval is the (1 − level)/2 and
 * (1 + level)/2 quantiles of the resampled ratios. Needs positive means.
 */
export function bootstrapRatioCi(a: readonly number[], b: readonly number[], options: BootstrapOptions): Interval {
  const level = options.level ?? 0.95;
  checkLevel(level);
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  if (!Number.isInteger(resamples) || resamples < 100) {
    throw new HvbError('stats-argument', `bootstrap: expected at least 100 resamples, received ${resamples}`);
  }
  if (a.length === 0 || b.length === 0)
    throw new HvbError('stats-too-few', `bootstrap: each side needs at least 1 value (a has ${a.length}, b has ${b.length})`);
  const rng = mulberry32(options.seed);
  // Each side divided by its largest |x| (sums cannot overflow); the scales come back as one factor.
  const sa = Math.max(...a.map(Math.abs)) || 1;
  const sb = Math.max(...b.map(Math.abs)) || 1;
  const factor = sb / sa > 0 && Number.isFinite(sb / sa) ? sb / sa : Math.exp(Math.log(sb) - Math.log(sa));
  if (!(factor > 0 && Number.isFinite(factor)))
    throw new HvbError('stats-range', `bootstrap: the ratio of the sides' scales (${sb} / ${sa}) exceeds the range of a double`);
  const xa = Float64Array.from(a, (x) => x / sa);
  const xb = Float64Array.from(b, (x) => x / sb);
  const ratios = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    const ma = resampledMean(xa, rng);
    const mb = resampledMean(xb, rng);
    ratios[r] = mb / ma;
  }
  ratios.sort();
  const lo = quantileSortedTyped(ratios, (1 - level) / 2) * factor;
  const hi = quantileSortedTyped(ratios, (1 + level) / 2) * factor;
  if (!(lo > 0 && Number.isFinite(hi)))
    throw new HvbError('stats-range', 'bootstrap: a resampled mean was not positive, or a bound exceeds the range of a double');
  return { lo, hi, level, method: 'bootstrap' };
}

function resampledMean(xs: Float64Array, rng: () => number): number {
  const n = xs.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += xs[(rng() * n) | 0]!;
  return sum / n;
}

/** Type-7 quantile of an ascending typed array. */
function quantileSortedTyped(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}
