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

  it('takes the middle value as the median of an odd count', () => {
    expect(summarize([3, 1, 2]).median).toBe(2);
  });

  it('leaves sd and cv undefined for a single value', () => {
    expect(summarize([3])).toEqual({ n: 1, mean: 3, median: 3, sd: undefined, cv: undefined, min: 3, max: 3, p90: 3 });
  });

  it('leaves cv undefined for a zero mean and uses |mean| otherwise', () => {
    expect(summarize([-1, 1]).cv).toBeUndefined();
    expect(summarize([-1, -3]).cv).toBeCloseTo(Math.SQRT2 / 2, 12);
  });

  it('does not reorder the caller\'s array', () => {
    const values = [3, 1, 2];
    summarize(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses an empty series and values that are not finite', () => {
    expect(() => summarize([])).toThrow(expect.objectContaining({ code: 'stats-empty' }));
    expect(() => summarize([1, Number.NaN])).toThrow('values[1] is NaN, expected a finite number');
  });
});
