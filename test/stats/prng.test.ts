import { describe, expect, it } from 'vitest';
import { deriveSeed, mulberry32, normalSampler } from '../../src/stats/prng.ts';

describe('seeded generator', () => {
  it('is reproducible from its seed and different across seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const first = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(first);
    expect(Array.from({ length: 5 }, mulberry32(43))).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('is uniform and its normal draws have mean 0 and variance 1', () => {
    const rng = mulberry32(1);
    const u = Array.from({ length: 100_000 }, rng);
    expect(u.reduce((s, x) => s + x) / u.length).toBeCloseTo(0.5, 2);
    const z = normalSampler(mulberry32(2));
    const xs = Array.from({ length: 100_000 }, z);
    const m = xs.reduce((s, x) => s + x) / xs.length;
    const v = xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(Math.abs(v - 1)).toBeLessThan(0.02);
  });

  it('derives distinct seeds per stream', () => {
    expect(new Set([0, 1, 2, 3].map((i) => deriveSeed(7, i))).size).toBe(4);
    expect(deriveSeed(7, 1)).toBe(deriveSeed(7, 1));
  });
});
