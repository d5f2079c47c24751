import type { Better } from '../results/sample.ts';
import { bootstrapRatioCi, DEFAULT_BOOTSTRAP_RESAMPLES } from './bootstrap.ts';
import { ratioCiLogT, type Interval } from './ci.ts';
import { DEFAULT_PERMUTATIONS, permutationTest } from './permutation.ts';
import { DEFAULT_SEED } from './prng.ts';
import type { CompareSettings } from './thresholds.ts';

/**
 * A versus B for one metric: the ratio of means B/A with its confidence interval, a
 * permutation-test p-value on the raw samples, and a verdict. See docs/statistics.md.
 */

export type Verdict = 'regression' | 'improvement' | 'no-change';
export type RatioCiMethod = 'bootstrap' | 'log-t';
export const DEFAULT_RATIO_CI: RatioCiMethod = 'log-t';

export interface CompareOptions extends CompareSettings {
  seed?: number;
  permutations?: number;
  bootstrapResamples?: number;
  /** Interval of the ratio; default `log-t` (see docs/statistics.md: the percentile bootstrap covers too little at small n). */
  ratioCi?: RatioCiMethod;
  level?: number;
}

export interface Comparison {
  nA: number;
  nB: number;
  meanA: number;
  meanB: number;
  /** mean(B) / mean(A); undefined unless both means are positive. */
  ratio: number | undefined;
  ratioCi: Interval | undefined;
  /** ratio − 1 (−0.2 = B is 20 % below A). */
  change: number | undefined;
  pValue: number | undefined;
  /** p-value from enumerating every relabelling rather than from random ones. */
  exact: boolean;
  /** The smallest p-value these sample sizes allow; when ≥ alpha no change can be significant. */
  minPValue: number | undefined;
  alpha: number;
  noiseThreshold: number;
  verdict: Verdict;
  /** Why, in one sentence a person reads. */
  reason: string;
  seed: number;
}

export function compareSeries(a: readonly number[], b: readonly number[], better: Better, options: CompareOptions): Comparison {
  const seed = options.seed ?? DEFAULT_SEED;
  const nA = a.length;
  const nB = b.length;
  const meanA = nA > 0 ? sum(a) / nA : Number.NaN;
  const meanB = nB > 0 ? sum(b) / nB : Number.NaN;
  const base = { nA, nB, meanA, meanB, alpha: options.alpha, noiseThreshold: options.noiseThreshold, seed, exact: false };
  if (nA < 2 || nB < 2) {
    return { ...base, ratio: undefined, ratioCi: undefined, change: undefined, pValue: undefined, minPValue: undefined, verdict: 'no-change', reason: `too few values to compare (A has ${nA}, B has ${nB}; at least 2 each)` };
  }
  const test = permutationTest(a, b, { seed, permutations: options.permutations ?? DEFAULT_PERMUTATIONS });
  const positive = meanA > 0 && meanB > 0;
  const ratio = positive ? meanB / meanA : undefined;
  const ratioCi = positive ? ratioInterval(a, b, options, seed) : undefined;
  const result = { ...base, ratio, ratioCi, change: ratio === undefined ? undefined : ratio - 1, pValue: test.pValue, exact: test.exact, minPValue: test.minPValue };
  const p = fmtP(test.pValue);
  if (test.pValue >= options.alpha) {
    const reason =
      test.minPValue >= options.alpha
        ? `cannot be significant: with ${nA} and ${nB} values the smallest possible p is ${fmtP(test.minPValue)} ≥ ${options.alpha}; add repetitions`
        : `p = ${p} ≥ ${options.alpha}: the difference is within what chance gives`;
    return { ...result, verdict: 'no-change', reason };
  }
  const up = meanB > meanA;
  const worse = up === (better === 'lower');
  if (ratioCi !== undefined) {
    // The change counts when its interval reaches the noise threshold in its own direction.
    const reach = up ? ratioCi.hi - 1 : 1 - ratioCi.lo;
    if (reach < options.noiseThreshold) {
      return { ...result, verdict: 'no-change', reason: `significant (p = ${p}) but below the ${pct(options.noiseThreshold)} noise threshold: the interval of the change reaches only ${pct(reach)}` };
    }
  }
  const what = ratio === undefined ? 'the ratio is undefined (a mean is not positive), so only p decides' : `${pct(Math.abs(ratio - 1))} ${up ? 'higher' : 'lower'} (${better} is better)`;
  return { ...result, verdict: worse ? 'regression' : 'improvement', reason: `p = ${p} < ${options.alpha}; ${what}` };
}

function ratioInterval(a: readonly number[], b: readonly number[], options: CompareOptions, seed: number): Interval {
  const level = options.level ?? 0.95;
  if ((options.ratioCi ?? DEFAULT_RATIO_CI) === 'log-t') return ratioCiLogT(a, b, level);
  // The bootstrap gets its own stream, so changing the permutation count leaves it alone.
  return bootstrapRatioCi(a, b, { seed: seed ^ 0x5bd1e995, resamples: options.bootstrapResamples ?? DEFAULT_BOOTSTRAP_RESAMPLES, level });
}

function sum(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}

function pct(x: number): string {
  return `${Number((x * 100).toPrecision(3))} %`;
}

export function fmtP(p: number): string {
  return p < 0.001 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
}
