import type { Better } from '../results/sample.ts';
import { gateVerdict, measure, type CompareOptions, type Measured } from './compare.ts';
import { gateFamily } from './family.ts';
import { mulberry32, normalSampler, type Rng } from './prng.ts';
import { DEFAULT_COMPARE_SETTINGS } from './thresholds.ts';

/**
 * Seeded simulations of the regression gate (docs/statistics.md, `npm run sim:gate`):
 * how often two runs drawn from the same distributions pass it (A/A), and how often a
 * real change of one series is caught (power). Normal noise around a mean of 1000.
 */

/** A family like the standard suite's: this many series, CVs spread evenly over 1.5–6 %. */
export const STANDARD_FAMILY = { series: 370, cvMin: 0.015, cvMax: 0.06 };

export interface AaOptions {
  pairs: number;
  series?: number;
  n?: number;
  cvMin?: number;
  cvMax?: number;
  seed: number;
  /** `holm` (the gate) or `none` (every series tested alone at alpha: what the family control prevents). */
  correction?: 'holm' | 'none';
  noise?: Noise;
  settings?: CompareOptions;
}

export interface AaResult {
  pairs: number;
  /** Pairs without a regression verdict (the gate passes). */
  passed: number;
  /** Pairs without any regression or improvement flagged. */
  quiet: number;
  /** False regressions over every pair. */
  falseRegressions: number;
}

/**
 * How values scatter: `normal` (mean · (1 + cv · z)), `lognormal` (the same mean and CV,
 * skewed to the right), `contaminated` (normal, and 5 % of the repetitions disturbed: 5
 * CVs slower or faster, as when another job ran on the machine).
 */
export type Noise = 'normal' | 'lognormal' | 'contaminated';

function sampler(seed: number, noise: Noise = 'normal'): { rng: Rng; draw: (mean: number, cv: number, n: number) => number[] } {
  const rng = mulberry32(seed);
  const z = normalSampler(rng);
  const one = (mean: number, cv: number): number => {
    if (noise === 'lognormal') {
      const s2 = Math.log(1 + cv * cv);
      return mean * Math.exp(Math.sqrt(s2) * z() - s2 / 2);
    }
    const x = mean * (1 + cv * z());
    return noise === 'contaminated' && rng() < 0.05 ? x * (1 + (rng() < 0.5 ? -5 : 5) * cv) : x;
  };
  return { rng, draw: (mean, cv, n) => Array.from({ length: n }, () => one(mean, cv)) };
}

/** A/A: `pairs` pairs of runs of a family of series from identical distributions. */
export function simulateAa(o: AaOptions): AaResult {
  const series = o.series ?? STANDARD_FAMILY.series;
  const n = o.n ?? 10;
  const cvMin = o.cvMin ?? STANDARD_FAMILY.cvMin;
  const cvMax = o.cvMax ?? STANDARD_FAMILY.cvMax;
  const settings = o.settings ?? { ...DEFAULT_COMPARE_SETTINGS };
  const { draw } = sampler(o.seed, o.noise);
  const result: AaResult = { pairs: o.pairs, passed: 0, quiet: 0, falseRegressions: 0 };
  for (let pair = 0; pair < o.pairs; pair++) {
    const items: { measured: Measured; better: Better }[] = [];
    for (let i = 0; i < series; i++) {
      const cv = series === 1 ? cvMin : cvMin + ((cvMax - cvMin) * i) / (series - 1);
      items.push({ measured: measure(draw(1000, cv, n), draw(1000, cv, n), settings), better: i % 2 === 0 ? 'higher' : 'lower' });
    }
    const verdicts = o.correction === 'none' ? items.map((x) => gateVerdict(x.measured, x.better, x.measured.pValue, 1)) : gateFamily(items);
    const regressions = verdicts.filter((v) => v.verdict === 'regression').length;
    result.falseRegressions += regressions;
    if (regressions === 0) result.passed++;
    if (verdicts.every((v) => v.verdict !== 'regression' && v.verdict !== 'improvement')) result.quiet++;
  }
  return result;
}

export interface PowerOptions {
  /** Relative change of the changed series in its worse direction (0.08 = 8 % worse). */
  change: number;
  cv: number;
  n: number;
  trials: number;
  /** Size of the family the changed series is tested in (the others unchanged). */
  family?: number;
  seed: number;
  settings?: CompareOptions;
}

/**
 * Power: the fraction of trials in which one series made `change` worse (higher is better,
 * its mean drops) is called a regression, tested in a family of `family` series. The
 * others are unchanged; their p-values under the null are uniform, so they are drawn as
 * such and the changed series' p is Holm-adjusted among them.
 */
export function simulatePower(o: PowerOptions): number {
  const family = o.family ?? STANDARD_FAMILY.series;
  const settings = o.settings ?? { ...DEFAULT_COMPARE_SETTINGS };
  const { rng, draw } = sampler(o.seed);
  let caught = 0;
  for (let t = 0; t < o.trials; t++) {
    const m = measure(draw(1000, o.cv, o.n), draw(1000 * (1 - o.change), o.cv, o.n), settings);
    const nulls = Array.from({ length: family - 1 }, () => rng());
    if (gateVerdict(m, 'higher', holmFor(m.pValue, nulls), family).verdict === 'regression') caught++;
  }
  return caught / o.trials;
}

/** Holm's adjusted p of one p-value among others (the same as holmAdjust([p, ...others])[0], without sorting them all). */
export function holmFor(p: number | undefined, others: readonly number[]): number | undefined {
  if (p === undefined) return undefined;
  const m = others.length + 1;
  const below = others.filter((u) => u < p).sort((x, y) => x - y);
  let adjusted = 0;
  below.forEach((u, j) => {
    adjusted = Math.max(adjusted, (m - j) * u);
  });
  return Math.min(1, Math.max(adjusted, (m - below.length) * p));
}
