import { describe, expect, it } from 'vitest';
import { compareSeries } from '../../src/stats/compare.ts';

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

  it('says when the sample sizes cannot reach significance', () => {
    const c = compareSeries([100, 101, 99], [50, 51, 49], 'higher', defaults);
    expect(c.minPValue).toBeCloseTo(0.1, 12);
    expect(c.verdict).toBe('no-change');
    expect(c.reason).toMatch(/cannot be significant: with 3 and 3 values the smallest possible p is 0\.1 ≥ 0\.01; add repetitions/);
  });

  it('needs two values a side', () => {
    expect(compareSeries([1], [2, 3], 'higher', defaults)).toMatchObject({ verdict: 'no-change', pValue: undefined, reason: expect.stringMatching(/too few values/) });
  });

  it('offers the bootstrap interval, reproducible from the seed', () => {
    const a = around(1000, noise);
    const b = around(900, noise);
    const one = compareSeries(a, b, 'higher', { ...defaults, ratioCi: 'bootstrap', bootstrapResamples: 2000 });
    expect(one.ratioCi?.method).toBe('bootstrap');
    expect(compareSeries(a, b, 'higher', { ...defaults, ratioCi: 'bootstrap', bootstrapResamples: 2000 })).toEqual(one);
  });
});
