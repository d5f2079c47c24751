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

  it('adds p50, p99, the standard error, the MAD and an interval of the mean on the log scale for positive values', () => {
    const s = summarize([9, 2, 4, 4, 5, 4, 5, 7]);
    expect(s.p50).toBe(4.5);
    // rank 0.99·7 = 6.93 between the sorted values 7 and 9
    expect(s.p99).toBeCloseTo(8.86, 12);
    expect(s.sem).toBeCloseTo(Math.sqrt(4 / 7), 12);
    // |x − 4.5| sorted: .5 .5 .5 .5 .5 2.5 2.5 4.5
    expect(s.mad).toBe(0.5);
    // t(0.975, 7) = 2.364624 (tables); ln-scale half-width t · cv / √n = 2.364624 · (√(32/7)/5) / √8 = 0.35750
    const half = (2.364624 * (Math.sqrt(32 / 7) / 5)) / Math.sqrt(8);
    expect(s.ci95?.method).toBe('log-t');
    expect(s.ci95?.level).toBe(0.95);
    expect(s.ci95?.lo).toBeCloseTo(5 * Math.exp(-half), 4);
    expect(s.ci95?.hi).toBeCloseTo(5 * Math.exp(half), 4);
  });

  it('keeps the interval of positive values above 0 at n = 2 and 3, where a t interval goes below', () => {
    // Like micro.syscall_ns in the issue: a t interval gave [−291, 1609].
    for (const values of [
      [120, 1198],
      [150, 1400, 409],
      [1, 1000],
    ]) {
      const s = summarize(values);
      expect(s.ci95!.lo).toBeGreaterThan(0);
      expect(s.ci95!.lo).toBeLessThan(s.mean);
      expect(s.ci95!.hi).toBeGreaterThan(s.mean);
    }
  });

  it('uses the Student t interval when some value is 0 or negative (hand-computed)', () => {
    // -1, 1, 3: mean 1, sd 2, half-width t(0.975, 2) · 2/√3
    const s = summarize([-1, 1, 3]);
    const half = (4.30265273 * 2) / Math.sqrt(3);
    expect(s.ci95).toMatchObject({ method: 't' });
    expect(s.ci95!.lo).toBeCloseTo(1 - half, 6);
    expect(s.ci95!.hi).toBeCloseTo(1 + half, 6);
  });

  it('takes the middle value as the median of an odd count', () => {
    expect(summarize([3, 1, 2]).median).toBe(2);
  });

  it('leaves sd, cv, sem and the interval undefined for a single value', () => {
    expect(summarize([3])).toEqual({
      n: 1,
      mean: 3,
      median: 3,
      sd: undefined,
      cv: undefined,
      min: 3,
      max: 3,
      p90: 3,
      p50: 3,
      p99: 3,
      sem: undefined,
      mad: 0,
      ci95: undefined,
    });
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
