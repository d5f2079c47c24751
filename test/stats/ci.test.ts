import { describe, expect, it } from 'vitest';
import { bootstrapRatioCi } from '../../src/stats/bootstrap.ts';
import { meanCi, ratioCiLogT, relativeCiHalfWidth } from '../../src/stats/ci.ts';

describe('confidence intervals', () => {
  it('t interval of the mean: textbook example', () => {
    // 10, 12, 14: mean 12, sd 2, sem 2/√3; t(0.975, 2) = 4.302653
    const ci = meanCi([10, 12, 14])!;
    const half = (4.30265273 * 2) / Math.sqrt(3);
    expect(ci.lo).toBeCloseTo(12 - half, 6);
    expect(ci.hi).toBeCloseTo(12 + half, 6);
    expect(relativeCiHalfWidth([10, 12, 14])).toBeCloseTo(half / 12, 6);
    expect(relativeCiHalfWidth([10])).toBe(Infinity);
  });

  it('log-t interval of a ratio: hand-computed case with integer Welch degrees of freedom', () => {
    // a: mean 10, s² 2 → s²/(n m²) = 0.01; b: mean 20, s² 8 → 0.01. se = √0.02, df = 0.02²/(2·0.01²) = 2.
    const ci = ratioCiLogT([9, 11], [18, 22]);
    const half = 4.30265273 * Math.sqrt(0.02);
    expect(ci.method).toBe('log-t');
    expect(ci.lo).toBeCloseTo(2 * Math.exp(-half), 6);
    expect(ci.hi).toBeCloseTo(2 * Math.exp(half), 6);
  });

  it('log-t interval of constant series is the ratio itself', () => {
    expect(ratioCiLogT([5, 5, 5], [6, 6, 6])).toMatchObject({ lo: 1.2, hi: 1.2 });
  });

  it('refuses too few values and non-positive means', () => {
    expect(() => meanCi([1])).toThrow(/at least 2 values, received 1/);
    expect(() => ratioCiLogT([1], [2, 3])).toThrow(/side a has 1/);
    expect(() => ratioCiLogT([-1, -2], [2, 3])).toThrow(/positive means, side a has mean -1.5/);
    expect(() => meanCi([1, 2], 95)).toThrow(/between 0 and 1 \(e\.g\. 0\.95\), received 95/);
  });

  it('bootstrap interval: reproducible from its seed, around the ratio, degenerate for constant data', () => {
    const a = [100, 102, 98, 101, 99, 100.5];
    const b = [90, 91, 89.5, 90.5, 92, 88];
    const one = bootstrapRatioCi(a, b, { seed: 7, resamples: 2000 });
    expect(bootstrapRatioCi(a, b, { seed: 7, resamples: 2000 })).toEqual(one);
    expect(bootstrapRatioCi(a, b, { seed: 8, resamples: 2000 })).not.toEqual(one);
    const ratio = b.reduce((s, x) => s + x) / b.length / (a.reduce((s, x) => s + x) / a.length);
    expect(one.lo).toBeLessThan(ratio);
    expect(one.hi).toBeGreaterThan(ratio);
    expect(one.method).toBe('bootstrap');
    expect(bootstrapRatioCi([2, 2, 2], [3, 3, 3], { seed: 1, resamples: 200 })).toMatchObject({ lo: 1.5, hi: 1.5 });
    expect(() => bootstrapRatioCi(a, b, { seed: 1, resamples: 10 })).toThrow(/at least 100 resamples, received 10/);
  });
});
