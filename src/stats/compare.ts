import type { Better } from '../results/sample.ts';
import { bootstrapRatioCi, DEFAULT_BOOTSTRAP_RESAMPLES } from './bootstrap.ts';
import { ratioCiLogT, type Interval } from './ci.ts';
import { moments, ratioOfMeans } from './moments.ts';
import { DEFAULT_PERMUTATIONS, permutationTest } from './permutation.ts';
import { DEFAULT_SEED } from './prng.ts';
import type { CompareSettings } from './thresholds.ts';
import { P_FLOOR, welchTest } from './welch.ts';

/**
 * A versus B for one metric. Two questions, two verdicts (docs/statistics.md):
 * - the regression gate (a run against its baseline): a test's p-value, adjusted over the
 *   family of series compared together (family.ts), and a noise threshold the interval of
 *   the change must reach: `regression`, `improvement`, `no-change`;
 * - the backend comparison (variants within one run): the ratio B/A with its 95 %
 *   interval, and a verdict read from the interval alone: `worse`, `better`, `similar`,
 *   `inconclusive`.
 * Either says `not-computable`, with the reason, when the figures cannot be computed
 * (too few values, a mean that is not positive, a ratio beyond the range of a double).
 */

export type GateVerdict = 'regression' | 'improvement' | 'no-change' | 'not-computable';
export type BackendVerdict = 'worse' | 'better' | 'similar' | 'inconclusive' | 'not-computable';
export type Verdict = GateVerdict | BackendVerdict;
export const GATE_VERDICTS: readonly GateVerdict[] = ['regression', 'improvement', 'no-change', 'not-computable'];
export const BACKEND_VERDICTS: readonly BackendVerdict[] = ['worse', 'better', 'similar', 'inconclusive', 'not-computable'];
export const ALL_VERDICTS: readonly Verdict[] = [...GATE_VERDICTS, ...BACKEND_VERDICTS.filter((v) => v !== 'not-computable')];

/** The verdicts that report a difference (what a changes-only view keeps). */
export function isChange(v: Verdict): boolean {
  return v === 'regression' || v === 'improvement' || v === 'worse' || v === 'better';
}

export type RatioCiMethod = 'bootstrap' | 'log-t';
export const DEFAULT_RATIO_CI: RatioCiMethod = 'log-t';
/** The gate's test: Welch's t (on logs when every value is positive), or the permutation test. */
export type GateTest = 'welch' | 'permutation';
export const DEFAULT_GATE_TEST: GateTest = 'welch';
/** The permutation test enumerates every split up to this many (10 + 10 values: 184 756). */
export const EXACT_SPLIT_LIMIT = 200_000;

export interface CompareOptions extends CompareSettings {
  seed?: number;
  /** Random relabellings of the permutation test, when it is the gate's test (or the fallback). */
  permutations?: number;
  bootstrapResamples?: number;
  /** Interval of the ratio; default `log-t` (see docs/statistics.md: the percentile bootstrap covers too little at small n). */
  ratioCi?: RatioCiMethod;
  level?: number;
  test?: GateTest;
}

export interface Comparison {
  nA: number;
  nB: number;
  meanA: number;
  meanB: number;
  /** mean(B) / mean(A); undefined unless both means are positive (and the ratio fits a double). */
  ratio: number | undefined;
  ratioCi: Interval | undefined;
  /** ratio − 1 (−0.2 = B is 20 % below A). */
  change: number | undefined;
  /** The test's own p-value (gate only). */
  pValue: number | undefined;
  /** p adjusted over the family (Holm); equal to pValue for a family of one. Gate only. */
  pAdjusted: number | undefined;
  /** How many series the adjustment covered (gate only). */
  familySize: number | undefined;
  /** Which test gave p: `welch-log`, `welch`, `permutation` (gate only). */
  test: string | undefined;
  /** p-value from enumerating every relabelling (permutation test only). */
  exact: boolean;
  /** The smallest p-value the permutation test allows at these sample sizes (permutation test only). */
  minPValue: number | undefined;
  alpha: number;
  noiseThreshold: number;
  verdict: Verdict;
  /** Why, in one sentence a person reads. */
  reason: string;
  seed: number;
}

/** The figures of a comparison before a verdict; `problem` says why a verdict cannot be computed. */
export type Measured = Omit<Comparison, 'verdict' | 'reason' | 'pAdjusted' | 'familySize'> & { problem?: string; identical: boolean };

/** Means, ratio and its interval, and (unless `withTest` is false) the gate's p-value. */
export function measure(a: readonly number[], b: readonly number[], options: CompareOptions, withTest = true): Measured {
  const seed = options.seed ?? DEFAULT_SEED;
  const ma = moments(a);
  const mb = moments(b);
  const base = {
    nA: a.length,
    nB: b.length,
    meanA: ma.mean,
    meanB: mb.mean,
    alpha: options.alpha,
    noiseThreshold: options.noiseThreshold,
    seed,
    exact: false,
    minPValue: undefined,
    pValue: undefined,
    test: undefined,
    ratio: undefined,
    ratioCi: undefined,
    change: undefined,
  };
  const first = a[0] ?? b[0];
  const identical = [...a, ...b].every((x) => x === first || (x === 0 && first === 0));
  if (a.length < 2 || b.length < 2)
    return { ...base, identical: false, problem: `too few values to compare (A has ${a.length}, B has ${b.length}; at least 2 each)` };
  const extreme = [...a, ...b].find(atTheLimits);
  if (extreme !== undefined && !identical)
    return { ...base, identical, problem: `a value of ${extreme} lies at the limits of a double, not in the range of a measurement: check the samples file` };
  const out: Measured = { ...base, identical };
  if (withTest) Object.assign(out, gateTest(a, b, options, seed));
  if (ma.meanScaled > 0 && mb.meanScaled > 0) {
    const ratio = ratioOfMeans(ma, mb);
    if (!(ratio > 0 && Number.isFinite(ratio)))
      return { ...out, problem: `the ratio of the means (${fmtNumberish(mb.mean)} / ${fmtNumberish(ma.mean)}) exceeds the range of a double` };
    try {
      const ratioCi = ratioInterval(a, b, options, seed);
      return { ...out, ratio, ratioCi, change: ratio - 1 };
    } catch (e) {
      return { ...out, ratio, change: ratio - 1, problem: `no interval of the ratio: ${(e as Error).message}` };
    }
  }
  if (identical) return out;
  return { ...out, problem: `a ratio needs positive means; mean A is ${fmtNumberish(ma.mean)}, mean B is ${fmtNumberish(mb.mean)}` };
}

/** Magnitudes no benchmark figure has (1e308, −1.7e308, 5e-324): damage, not data; a comparison with them is not computed. */
export const EXTREME_MAGNITUDE = 1e300;

export function atTheLimits(x: number): boolean {
  const m = Math.abs(x);
  return m >= EXTREME_MAGNITUDE || (m > 0 && m <= 1 / EXTREME_MAGNITUDE);
}

function gateTest(
  a: readonly number[],
  b: readonly number[],
  options: CompareOptions,
  seed: number,
): Pick<Measured, 'pValue' | 'test' | 'exact' | 'minPValue'> {
  const permutation = (why: string) => {
    const r = permutationTest(a, b, {
      seed,
      permutations: options.permutations ?? DEFAULT_PERMUTATIONS,
      exactLimit: Math.max(EXACT_SPLIT_LIMIT, options.permutations ?? 0),
    });
    return { pValue: r.pValue, test: `permutation${why}`, exact: r.exact, minPValue: r.minPValue };
  };
  if ((options.test ?? DEFAULT_GATE_TEST) === 'permutation') return permutation('');
  const w = welchTest(a, b);
  // Both sides without spread and different: a t statistic is undefined, the permutation test is not.
  if (!w) return permutation(' (no spread on either side for a t test)');
  return { pValue: w.pValue, test: w.scale === 'log' ? 'welch-log' : 'welch', exact: false, minPValue: undefined };
}

/** The regression gate's verdict, given p adjusted over a family of `familySize` series. */
export function gateVerdict(m: Measured, better: Better, pAdjusted: number | undefined, familySize: number): Comparison {
  const { problem, identical, ...rest } = m;
  const result = { ...rest, pAdjusted, familySize };
  if (identical) return { ...result, verdict: 'no-change', reason: 'every value is the same on both sides' };
  if (problem !== undefined) return { ...result, verdict: 'not-computable', reason: problem };
  if (m.pValue === undefined || pAdjusted === undefined) return { ...result, verdict: 'not-computable', reason: 'no p-value' };
  const p = familySize > 1 ? `p = ${fmtP(m.pValue)}, ${fmtP(pAdjusted)} adjusted over ${familySize} series (Holm)` : `p = ${fmtP(m.pValue)}`;
  if (pAdjusted >= m.alpha) {
    const floor = m.minPValue === undefined ? undefined : Math.min(1, m.minPValue * familySize);
    const reason =
      floor !== undefined && floor >= m.alpha
        ? `cannot be significant: with ${m.nA} and ${m.nB} values the permutation test's smallest p is ${fmtP(m.minPValue!)}${familySize > 1 ? `, ${fmtP(floor)} over ${familySize} series` : ''} ≥ ${m.alpha}; add repetitions or use the Welch test`
        : `${p} ≥ ${m.alpha}: the difference is within what chance gives`;
    return { ...result, verdict: 'no-change', reason };
  }
  const ratio = m.ratio!;
  const up = ratio > 1;
  const worse = up === (better === 'lower');
  const ci = m.ratioCi!;
  // The change counts when its interval reaches the noise threshold in its own direction.
  const reach = up ? ci.hi - 1 : 1 - ci.lo;
  if (reach < m.noiseThreshold) {
    return {
      ...result,
      verdict: 'no-change',
      reason: `significant (${p}) but below the ${pct(m.noiseThreshold)} noise threshold: the interval of the change reaches only ${pct(reach)}`,
    };
  }
  return {
    ...result,
    verdict: worse ? 'regression' : 'improvement',
    reason: `${p} < ${m.alpha}; ${pct(Math.abs(ratio - 1))} ${up ? 'higher' : 'lower'} (${better} is better)`,
  };
}

/** One series against its baseline as a family of one: the regression gate for a single metric. */
export function compareSeries(a: readonly number[], b: readonly number[], better: Better, options: CompareOptions): Comparison {
  const m = measure(a, b, options);
  return gateVerdict(m, better, m.pValue, 1);
}

/**
 * The backend comparison: B against the reference A from the interval of B/A alone.
 * `similar` when the whole interval lies within 1 ± noise threshold (even if it excludes
 * 1: a difference that small is not one a platform choice rests on); `worse` / `better`
 * when it lies entirely on one side of 1 (direction from `better`); `inconclusive` when
 * it contains 1 and reaches beyond the band.
 */
export function compareBackends(a: readonly number[], b: readonly number[], better: Better, options: CompareOptions): Comparison {
  const { problem, identical, ...m } = measure(a, b, options, false);
  const result = { ...m, pAdjusted: undefined, familySize: undefined };
  if (identical) return { ...result, verdict: 'similar', reason: 'every value is the same on both sides' };
  if (problem !== undefined || m.ratio === undefined || m.ratioCi === undefined)
    return { ...result, verdict: 'not-computable', reason: problem ?? 'no interval of the ratio' };
  const { lo, hi } = m.ratioCi;
  const band = `the ${pct(m.noiseThreshold)} noise band`;
  const range = `[${fmtR(lo)}, ${fmtR(hi)}]`;
  if (lo >= 1 - m.noiseThreshold && hi <= 1 + m.noiseThreshold) return { ...result, verdict: 'similar', reason: `the interval ${range} lies within ${band}` };
  if (lo > 1 || hi < 1) {
    const up = lo > 1;
    const worse = up === (better === 'lower');
    return {
      ...result,
      verdict: worse ? 'worse' : 'better',
      reason: `the interval ${range} lies ${up ? 'above' : 'below'} 1: ${pct(Math.abs(m.ratio - 1))} ${up ? 'higher' : 'lower'} (${better} is better)`,
    };
  }
  return { ...result, verdict: 'inconclusive', reason: `the interval ${range} contains 1 and reaches beyond ${band}: more repetitions would tell` };
}

function ratioInterval(a: readonly number[], b: readonly number[], options: CompareOptions, seed: number): Interval {
  const level = options.level ?? 0.95;
  if ((options.ratioCi ?? DEFAULT_RATIO_CI) === 'log-t') return ratioCiLogT(a, b, level);
  // The bootstrap gets its own stream, so changing the permutation count leaves it alone.
  return bootstrapRatioCi(a, b, { seed: seed ^ 0x5bd1e995, resamples: options.bootstrapResamples ?? DEFAULT_BOOTSTRAP_RESAMPLES, level });
}

function pct(x: number): string {
  return `${Number((x * 100).toPrecision(3))} %`;
}

function fmtR(x: number): string {
  return x >= 0.01 && x < 1000 ? x.toFixed(3) : x.toPrecision(3);
}

function fmtNumberish(x: number): string {
  return Math.abs(x) >= 1e6 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}

export function fmtP(p: number): string {
  if (p <= P_FLOOR) return `<${P_FLOOR}`;
  return p < 0.001 ? p.toExponential(1) : String(Number(p.toPrecision(2)));
}
