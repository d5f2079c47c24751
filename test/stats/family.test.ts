import { describe, expect, it } from 'vitest';
import { measure } from '../../src/stats/compare.ts';
import { gateFamily, holmAdjust } from '../../src/stats/family.ts';
import { holmFor } from '../../src/stats/gate-sim.ts';

describe("Holm's family-wise adjustment", () => {
  it('matches R p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") and keeps the order given', () => {
    // sorted 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 → running max 0.06
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    expect(adjusted.map((p) => Number(p!.toFixed(12)))).toEqual([0.03, 0.06, 0.06, 0.02]);
  });

  it('leaves series without a p out of the family and caps at 1', () => {
    // 0.5 · 2 = 1; 0.6 · 1 = 0.6, raised to the running maximum 1
    expect(holmAdjust([0.5, undefined, 0.6])).toEqual([1, undefined, 1]);
    expect(holmAdjust([0.2, undefined, 0.01])).toEqual([0.2, undefined, 0.02]);
  });

  it('holmFor gives the same adjusted p as the whole adjustment', () => {
    const others = [0.2, 0.001, 0.7, 0.03, 0.004];
    for (const p of [0.0001, 0.002, 0.05, 0.9]) expect(holmFor(p, others)).toBeCloseTo(holmAdjust([p, ...others])[0]!, 12);
  });

  it('a change that one series alone would flag is not flagged in a large family when its p is only modest', () => {
    const opts = { alpha: 0.01, noiseThreshold: 0.05, seed: 1 };
    // About 8 % lower with CV ~6 %: p ≈ 0.005 alone, far above 0.01 / 300 in a family.
    const a = [1000, 1060, 940, 1030, 970, 1080, 920, 1010, 990, 1000];
    const b = a.map((x, i) => x * 0.93 * (i % 2 ? 1.01 : 0.99));
    const changed = measure(a, b, opts);
    expect(changed.pValue).toBeLessThan(0.01);
    const alone = gateFamily([{ measured: changed, better: 'higher' }]);
    expect(alone[0]!.verdict).toBe('regression');
    const flat = measure(
      a,
      a.map((x) => x * 1.0001),
      opts,
    );
    const family = gateFamily([{ measured: changed, better: 'higher' }, ...Array.from({ length: 299 }, () => ({ measured: flat, better: 'higher' as const }))]);
    expect(family[0]).toMatchObject({ verdict: 'no-change', familySize: 300 });
    expect(family[0]!.reason).toMatch(/adjusted over 300 series \(Holm\) ≥ 0\.01/);
  });
});
