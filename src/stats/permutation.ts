import { HvbError } from '../util/errors.ts';
import { mulberry32 } from './prng.ts';

export interface PermutationOptions {
  /** Random relabellings drawn when exact enumeration is too large; default 10 000. */
  permutations?: number;
  /** Seed of the generator, recorded by the caller. */
  seed: number;
  /** Enumerate every split exactly when there are at most this many; default `permutations`. */
  exactLimit?: number;
}

export interface PermutationResult {
  /** Two-sided p-value for "a and b come from the same distribution", statistic mean(b) − mean(a). */
  pValue: number;
  /** True when every split was enumerated; otherwise a Monte Carlo estimate (k + 1)/(P + 1). */
  exact: boolean;
  /** Splits enumerated, or random relabellings drawn. */
  permutations: number;
  /** The smallest p-value these sample sizes can give (two-sided, all values distinct). */
  minPValue: number;
}

export const DEFAULT_PERMUTATIONS = 10_000;

/**
 * Two-sided permutation test on the difference of means. Under the null hypothesis the
 * labels a/b are exchangeable, so the observed |mean(b) − mean(a)| is ranked among the
 * values it takes over relabellings of the pooled samples. Exact when the number of splits
 * C(n_a + n_b, n_b) is small; otherwise a Monte Carlo p-value (k + 1)/(P + 1), which is a
 * valid p-value: P(p ≤ α) ≤ α under the null hypothesis.
 */
export function permutationTest(a: readonly number[], b: readonly number[], options: PermutationOptions): PermutationResult {
  const na = a.length;
  const nb = b.length;
  if (na < 1 || nb < 1) throw new HvbError('stats-too-few', `permutation test: each side needs at least 1 value (a has ${na}, b has ${nb})`);
  const permutations = options.permutations ?? DEFAULT_PERMUTATIONS;
  if (!Number.isInteger(permutations) || permutations < 1)
    throw new HvbError('stats-argument', `permutation test: expected a positive number of permutations, received ${permutations}`);
  const n = na + nb;
  // The statistic is scale-free: dividing by the largest |x| keeps sums of values near the
  // limits of a double (1e308, −1.7e308) finite.
  const scale = Math.max(...a.map(Math.abs), ...b.map(Math.abs)) || 1;
  const pool = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < na; i++) total += pool[i] = a[i]! / scale;
  let sumB = 0;
  for (let i = 0; i < nb; i++) sumB += pool[na + i] = b[i]! / scale;
  // |mean(b) − mean(a)| as a function of sum(b): sum(b)/nb − (total − sum(b))/na.
  total += sumB;
  const stat = (s: number) => Math.abs(s / nb - (total - s) / na);
  const observed = stat(sumB);
  // Ties count as "at least as extreme"; the tolerance absorbs rounding of equal sums.
  const threshold = observed - 1e-9 * Math.max(Math.abs(observed), Math.abs(total / n), Number.MIN_VALUE);
  const splits = binomial(n, nb);
  const minPValue = Math.min(1, 2 / splits);
  if (splits <= (options.exactLimit ?? permutations)) {
    let count = 0;
    forEachSubsetSum(pool, nb, (s) => {
      if (stat(s) >= threshold) count++;
    });
    return { pValue: count / splits, exact: true, permutations: splits, minPValue };
  }
  const rng = mulberry32(options.seed);
  let count = 0;
  for (let p = 0; p < permutations; p++) {
    // Partial Fisher–Yates: the first nb slots become a uniform random subset.
    let s = 0;
    for (let i = 0; i < nb; i++) {
      const j = i + ((rng() * (n - i)) | 0);
      const t = pool[j]!;
      pool[j] = pool[i]!;
      pool[i] = t;
      s += t;
    }
    if (stat(s) >= threshold) count++;
  }
  return { pValue: (count + 1) / (permutations + 1), exact: false, permutations, minPValue: Math.max(minPValue, 1 / (permutations + 1)) };
}

/** C(n, k) as a float (exact up to 2^53). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  const kk = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= kk; i++) c = (c * (n - kk + i)) / i;
  return Math.round(c);
}

/** Calls `visit` with the sum of every k-element subset of xs (lexicographic index order). */
function forEachSubsetSum(xs: Float64Array, k: number, visit: (sum: number) => void): void {
  const n = xs.length;
  const idx = Array.from({ length: k }, (_, i) => i);
  for (;;) {
    let s = 0;
    for (let i = 0; i < k; i++) s += xs[idx[i]!]!;
    visit(s);
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i] = idx[i]! + 1;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}
