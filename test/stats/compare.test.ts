import { describe, expect, it } from 'vitest';
import { compareBackends, compareSeries } from '../../src/stats/compare.ts';

const defaults = { alpha: 0.01, noiseThreshold: 0.05, seed: 1, permutations: 2000 };
const around = (m: number, d: number[]) => d.map((x) => m * (1 + x));
const noise = [0.01, -0.012, 0.004, -0.003, 0.008, -0.009, 0.002, -0.001, 0.006, -0.005];

describe('compareSeries', () => {
  it('calls a clear 20 % slowdown of a higher-is-better metric a regression', () => {
    const c = compareSeries(around(1000, noise), around(800, noise), 'higher', defaults);
    expect(c.verdict).toBe('regression');
    expect(c.ratio).toBeCloseTo(0.8, 12);
    expect(c.change).toBeCloseTo(-0.2, 12);
    expect(c.ratioCi!.lo).toBeLessThan(0.8);
    expect(c.ratioCi!.hi).toBeGreaterThan(0.8);
    expect(c.pValue).toBeLessThan(0.01);
    expect(c.reason).toMatch(/20 % lower \(higher is better\)/);
  });

  it('takes the direction from `better`', () => {
    expect(compareSeries(around(1000, noise), around(800, noise), 'lower', defaults).verdict).toBe('improvement');
    expect(compareSeries(around(800, noise), around(1000, noise), 'lower', defaults).verdict).toBe('regression');
  });

  it('finds no change between identical series', () => {
    const c = compareSeries(around(1000, noise), around(1000, noise), 'higher', defaults);
    expect(c).toMatchObject({ verdict: 'no-change', ratio: 1, change: 0, pValue: 1 });
  });

  it('does not count a significant change whose interval stays below the noise threshold', () => {
    const tight = noise.map((x) => x / 10);
    const c = compareSeries(around(1000, tight), around(980, tight), 'higher', defaults);
    expect(c.pValue).toBeLessThan(0.01);
    expect(c.verdict).toBe('no-change');
    expect(c.reason).toMatch(/significant .* but below the 5 % noise threshold/);
    // The same change counts with a 1 % threshold.
    expect(compareSeries(around(1000, tight), around(980, tight), 'higher', { ...defaults, noiseThreshold: 0.01 }).verdict).toBe('regression');
  });

  it('reaches significance at 3 repetitions for a large effect with the Welch test on logs', () => {
    const c = compareSeries([100, 101, 99], [50, 51, 49], 'higher', defaults);
    expect(c).toMatchObject({ verdict: 'regression', test: 'welch-log', pAdjusted: c.pValue, familySize: 1 });
    expect(c.pValue).toBeLessThan(1e-4);
  });

  it('says when the permutation test cannot reach significance at these sample sizes', () => {
    const c = compareSeries([100, 101, 99], [50, 51, 49], 'higher', { ...defaults, test: 'permutation' });
    expect(c.minPValue).toBeCloseTo(0.1, 12);
    expect(c.exact).toBe(true);
    expect(c.verdict).toBe('no-change');
    expect(c.reason).toMatch(/cannot be significant: with 3 and 3 values the permutation test's smallest p is 0\.1 ≥ 0\.01; add repetitions/);
  });

  it('needs two values a side, and says so as not computable', () => {
    expect(compareSeries([1], [2, 3], 'higher', defaults)).toMatchObject({
      verdict: 'not-computable',
      pValue: undefined,
      reason: expect.stringMatching(/too few values/),
    });
  });

  it('is not computable when a mean is not positive, and no change when both sides are the same constant', () => {
    expect(compareSeries([-1, -2, -3], [1, 2, 3], 'higher', defaults)).toMatchObject({
      verdict: 'not-computable',
      reason: expect.stringMatching(/positive means; mean A is -2/),
    });
    expect(compareSeries([0, 0, 0], [0, 0, 0], 'higher', defaults)).toMatchObject({ verdict: 'no-change', reason: 'every value is the same on both sides' });
  });

  it('falls back to the exact permutation test when neither side has a spread', () => {
    const c = compareSeries([5, 5, 5, 5, 5, 5], [6, 6, 6, 6, 6, 6], 'lower', defaults);
    // 6 + 6: C(12, 6) = 924 splits, the observed one and its mirror are the most extreme.
    expect(c).toMatchObject({ test: 'permutation (no spread on either side for a t test)', exact: true, verdict: 'regression' });
    expect(c.pValue).toBeCloseTo(2 / 924, 12);
  });
  it('offers the bootstrap interval, reproducible from the seed', () => {
    const a = around(1000, noise);
    const b = around(900, noise);
    const one = compareSeries(a, b, 'higher', { ...defaults, ratioCi: 'bootstrap', bootstrapResamples: 2000 });
    expect(one.ratioCi?.method).toBe('bootstrap');
    expect(compareSeries(a, b, 'higher', { ...defaults, ratioCi: 'bootstrap', bootstrapResamples: 2000 })).toEqual(one);
  });
});

describe('compareBackends: the verdict from the interval', () => {
  const opts = { alpha: 0.01, noiseThreshold: 0.05, seed: 1 };
  it('gives a large effect a verdict at 3 repetitions (TCG at about 0.12× native)', () => {
    const c = compareBackends([20000, 21500, 18500], [2400, 2000, 2800], 'higher', opts);
    expect(c.verdict).toBe('worse');
    expect(c.ratio).toBeCloseTo(0.12, 6);
    expect(c.ratioCi!.hi).toBeLessThan(1);
    expect(c.pValue).toBeUndefined();
    expect(c.reason).toMatch(/lies below 1: 88 % lower \(higher is better\)/);
    expect(compareBackends([20000, 21500, 18500], [2400, 2000, 2800], 'lower', opts).verdict).toBe('better');
  });

  it('calls an interval inside the noise band similar, one that straddles 1 beyond it inconclusive', () => {
    expect(
      compareBackends(
        around(
          1000,
          noise.map((x) => x / 4),
        ),
        around(
          1010,
          noise.map((x) => x / 4),
        ),
        'higher',
        opts,
      ).verdict,
    ).toBe('similar');
    const wide = compareBackends([100, 130, 80], [110, 70, 125], 'higher', opts);
    expect(wide.verdict).toBe('inconclusive');
    expect(wide.reason).toMatch(/contains 1 and reaches beyond the 5 % noise band/);
  });

  it('says why when it cannot compute (too few values, a mean that is not positive)', () => {
    expect(compareBackends([1], [1, 2], 'higher', opts)).toMatchObject({ verdict: 'not-computable', reason: expect.stringMatching(/too few values/) });
    expect(compareBackends([0, 0], [1, 2], 'higher', opts)).toMatchObject({ verdict: 'not-computable', reason: expect.stringMatching(/positive means/) });
  });
});
