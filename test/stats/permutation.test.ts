import { describe, expect, it } from 'vitest';
import { binomial, permutationTest } from '../../src/stats/permutation.ts';

describe('permutation test', () => {
  it('enumerates small cases exactly (hand-counted)', () => {
    // 20 splits of 1…6 into two triples; only {1,2,3}|{4,5,6} and its mirror reach |Δmean| = 3.
    expect(permutationTest([1, 2, 3], [4, 5, 6], { seed: 1 })).toEqual({ pValue: 2 / 20, exact: true, permutations: 20, minPValue: 0.1 });
    // 6 splits of 1…4: |Δ| = 2 for {3,4} and {1,2}, 1 for {1,3} and {2,4}, 0 for {1,4} and {2,3}.
    expect(permutationTest([1, 2], [3, 4], { seed: 1 }).pValue).toBeCloseTo(2 / 6, 12);
    expect(permutationTest([1, 3], [2, 4], { seed: 1 }).pValue).toBeCloseTo(4 / 6, 12);
  });

  it('gives p = 1 for identical series and counts ties as extreme', () => {
    expect(permutationTest([5, 5, 5], [5, 5, 5], { seed: 1 }).pValue).toBe(1);
    expect(permutationTest([0.1 + 0.2, 0.3], [0.3, 0.1 + 0.2], { seed: 1 }).pValue).toBe(1);
  });

  it('draws random relabellings when there are too many splits, and agrees with exact enumeration', () => {
    const a = [10.1, 9.8, 10.4, 10.0, 9.7, 10.2, 10.3, 9.9];
    const b = [10.5, 10.2, 10.6, 10.1, 10.8, 10.4, 10.3, 10.7];
    const exact = permutationTest(a, b, { seed: 1, exactLimit: 20_000 });
    expect(exact).toMatchObject({ exact: true, permutations: binomial(16, 8) });
    const mc = permutationTest(a, b, { seed: 1, permutations: 20_000 - 1, exactLimit: 0 });
    expect(mc.exact).toBe(false);
    // Monte Carlo error of p ≈ √(p(1 − p)/P) ≈ 0.0006 here; allow 5 of them.
    expect(Math.abs(mc.pValue - exact.pValue)).toBeLessThan(0.003);
    expect(permutationTest(a, b, { seed: 1, permutations: 2000, exactLimit: 0 })).toEqual(
      permutationTest(a, b, { seed: 1, permutations: 2000, exactLimit: 0 }),
    );
  });

  it('never reports a Monte Carlo p below 1/(P + 1)', () => {
    const a = Array.from({ length: 15 }, (_, i) => i);
    const b = a.map((x) => x + 100);
    const r = permutationTest(a, b, { seed: 3, permutations: 999 });
    expect(r.pValue).toBe(1 / 1000);
    expect(r.minPValue).toBe(1 / 1000);
  });

  it('knows its binomials and refuses empty sides', () => {
    expect(binomial(20, 10)).toBe(184756);
    expect(binomial(5, 0)).toBe(1);
    expect(() => permutationTest([], [1], { seed: 1 })).toThrow(/a has 0, b has 1/);
  });
});
