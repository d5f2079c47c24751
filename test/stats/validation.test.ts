import { describe, expect, it } from 'vitest';
import type { Better } from '../../src/results/sample.ts';
import { bootstrapRatioCi } from '../../src/stats/bootstrap.ts';
import { meanCi, ratioCiLogT } from '../../src/stats/ci.ts';
import { compareSeries } from '../../src/stats/compare.ts';
import { mulberry32, normalSampler } from '../../src/stats/prng.ts';
import { DEFAULT_MIN_REPETITIONS } from '../../src/stats/stopping.ts';
import { DEFAULT_COMPARE_SETTINGS } from '../../src/stats/thresholds.ts';

/**
 * Simulated benchmarks with fixed seeds: how often the default rule cries wolf (A/A), how
 * often it catches a real 5 % change (power), and whether the intervals cover what they
 * claim. Normal noise around a mean of 1000; the figures are quoted in docs/statistics.md.
 */

const N = DEFAULT_MIN_REPETITIONS;
const PERMUTATIONS = 2000;

function simulate(trials: number, seed: number, one: (draw: (mean: number, cv: number) => number[], trial: number) => boolean): number {
  const z = normalSampler(mulberry32(seed));
  const draw = (mean: number, cv: number) => {
    const xs = new Array<number>(N);
    for (let i = 0; i < N; i++) xs[i] = mean * (1 + cv * z());
    return xs;
  };
  let hits = 0;
  for (let t = 0; t < trials; t++) if (one(draw, t)) hits++;
  return hits / trials;
}

const verdictOf = (a: number[], b: number[], better: Better, trial: number) =>
  compareSeries(a, b, better, { ...DEFAULT_COMPARE_SETTINGS, seed: trial, permutations: PERMUTATIONS });

describe(`validation at the defaults (n = ${N} a side, alpha 0.01, noise threshold 5 %)`, () => {
  it('A/A at CV 2 %: false alarms ≤ 1 % over 2000 trials, and the p-value alone is calibrated', () => {
    let significant = 0;
    const alarms = simulate(2000, 101, (draw, t) => {
      const c = verdictOf(draw(1000, 0.02), draw(1000, 0.02), 'higher', t);
      if (c.pValue! < 0.01) significant++;
      return c.verdict !== 'no-change';
    });
    expect(alarms).toBeLessThanOrEqual(0.01);
    // P(p < 0.01) should be about 0.01 (± 3 standard errors of 0.0022).
    expect(significant / 2000).toBeGreaterThan(0.003);
    expect(significant / 2000).toBeLessThan(0.017);
  });

  it('A/A at CV 10 %, where the noise threshold no longer helps: false alarms still ≤ 1 % (+ simulation error)', () => {
    const alarms = simulate(2000, 202, (draw, t) => verdictOf(draw(1000, 0.1), draw(1000, 0.1), 'higher', t).verdict !== 'no-change');
    expect(alarms).toBeLessThanOrEqual(0.015);
  });

  it('detects a 5 % drop of a higher-is-better metric at CV 2 % with ≥ 90 % power', () => {
    const power = simulate(1000, 303, (draw, t) => verdictOf(draw(1000, 0.02), draw(950, 0.02), 'higher', t).verdict === 'regression');
    expect(power).toBeGreaterThanOrEqual(0.9);
  });

  it('detects a 5 % rise of a lower-is-better metric at CV 2 % with ≥ 90 % power', () => {
    const power = simulate(1000, 404, (draw, t) => verdictOf(draw(1000, 0.02), draw(1050, 0.02), 'lower', t).verdict === 'regression');
    expect(power).toBeGreaterThanOrEqual(0.9);
  });

  it('never calls a 5 % improvement a regression', () => {
    const wrong = simulate(500, 505, (draw, t) => verdictOf(draw(1000, 0.02), draw(1050, 0.02), 'higher', t).verdict === 'regression');
    expect(wrong).toBe(0);
  });
});

describe('interval coverage (2000 trials, nominal 95 %)', () => {
  it('the t interval of the mean covers the true mean about 95 % of the time', () => {
    const coverage = simulate(2000, 606, (draw) => {
      const ci = meanCi(draw(1000, 0.02))!;
      return ci.lo <= 1000 && 1000 <= ci.hi;
    });
    expect(coverage).toBeGreaterThan(0.935);
    expect(coverage).toBeLessThan(0.965);
  });

  it('the log-t interval of B/A covers the true ratio about 95 % of the time', () => {
    const coverage = simulate(2000, 707, (draw) => {
      const ci = ratioCiLogT(draw(1000, 0.02), draw(950, 0.02));
      return ci.lo <= 0.95 && 0.95 <= ci.hi;
    });
    expect(coverage).toBeGreaterThan(0.935);
    expect(coverage).toBeLessThan(0.965);
  });

  it('the percentile bootstrap covers less at this n (why log-t is the default)', () => {
    const coverage = simulate(1000, 808, (draw, t) => {
      const ci = bootstrapRatioCi(draw(1000, 0.02), draw(950, 0.02), { seed: t, resamples: 1000 });
      return ci.lo <= 0.95 && 0.95 <= ci.hi;
    });
    expect(coverage).toBeGreaterThan(0.85);
    expect(coverage).toBeLessThan(0.95);
  });
});
