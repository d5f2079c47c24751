import { describe, expect, it } from 'vitest';
import { summarize } from '../../src/stats/summary.ts';

describe('summarize', () => {
  it('matches hand-computed values', () => {
    // mean 5; squared deviations sum to 32, so sd = √(32/7); p90 at rank 0.9·7 = 6.3 → 7 + 0.3·(9 − 7)
    const s = summarize([9, 2, 4, 4, 5, 4, 5, 7]);
    expect(s.n).toBe(8);
    expect(s.mean).toBe(5);
    expect(s.median).toBe(4.5);
    expect(s.sd).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(s.cv).toBeCloseTo(Math.sqrt(32 / 7) / 5, 12);
    expect(s.min).toBe(2);
    expect(s.max).toBe(9);
    expect(s.p90).toBeCloseTo(7.6, 12);
  });

  it('adds p50, p99, the standard error, the MAD and a t interval of the mean', () => {
    const s = summarize([9, 2, 4, 4, 5, 4, 5, 7]);
    expect(s.p50).toBe(4.5);
    // rank 0.99·7 = 6.93 between the sorted values 7 and 9
    expect(s.p99).toBeCloseTo(8.86, 12);
    expect(s.sem).toBeCloseTo(Math.sqrt(4 / 7), 12);
    // |x − 4.5| sorted: .5 .5 .5 .5 .5 2.5 2.5 4.5
    expect(s.mad).toBe(0.5);
    // t(0.975, 7) = 2.364624 (tables); half-width 2.364624 · √(4/7) = 1.787500
    expect(s.ci95?.method).toBe('t');
    expect(s.ci95?.level).toBe(0.95);
    expect(s.ci95?.lo).toBeCloseTo(5 - 1.7875, 4);
    expect(s.ci95?.hi).toBeCloseTo(5 + 1.7875, 4);
  });

  it('takes the middle value as the median of an odd count', () => {
    expect(summarize([3, 1, 2]).median).toBe(2);
  });

  it('leaves sd, cv, sem and the interval undefined for a single value', () => {
    expect(summarize([3])).toEqual({ n: 1, mean: 3, median: 3, sd: undefined, cv: undefined, min: 3, max: 3, p90: 3, p50: 3, p99: 3, sem: undefined, mad: 0, ci95: undefined });
  });

  it('leaves cv undefined for a zero mean and uses |mean| otherwise', () => {
    expect(summarize([-1, 1]).cv).toBeUndefined();
    expect(summarize([-1, -3]).cv).toBeCloseTo(Math.SQRT2 / 2, 12);
  });

  it("does not reorder the caller's array", () => {
    const values = [3, 1, 2];
    summarize(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses an empty series and values that are not finite', () => {
    expect(() => summarize([])).toThrow(expect.objectContaining({ code: 'stats-empty' }));
    expect(() => summarize([1, Number.NaN])).toThrow('values[1] is NaN, expected a finite number');
  });
});
