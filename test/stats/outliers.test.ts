import { describe, expect, it } from 'vitest';
import { findOutliers, modifiedZScores, outlierWarning } from '../../src/stats/outliers.ts';

describe('outliers by modified Z-score', () => {
  it('scores by the MAD (hand-computed)', () => {
    // median 10; |x − 10| sorted: 0 0 .1 .1 .2 .2 5 → MAD 0.1; M(15) = 0.6745 · 5 / 0.1
    const values = [10, 10.1, 9.9, 10, 10.2, 9.8, 15];
    const z = modifiedZScores(values);
    expect(z[6]).toBeCloseTo(33.725, 9);
    expect(z[4]).toBeCloseTo(1.349, 9);
    expect(findOutliers(values)).toEqual([{ index: 6, value: 15, score: z[6] }]);
  });

  it('falls back to the mean absolute deviation when the MAD is 0', () => {
    // median 5, MAD 0; MeanAD = 4/5; M(9) = 4 / (1.2533 · 0.8) = 3.9895 > 3.5
    const z = modifiedZScores([5, 5, 5, 5, 9]);
    expect(z[4]).toBeCloseTo(4 / (1.2533 * 0.8), 9);
    expect(findOutliers([5, 5, 5, 5, 9]).map((o) => o.index)).toEqual([4]);
    expect(findOutliers([7, 7, 7, 7])).toEqual([]);
    expect(findOutliers([1, 100])).toEqual([]); // too few values to tell
  });

  it('gives no verdict below 5 values, however far a value lies', () => {
    expect(findOutliers([10, 10.1, 9.9, 500])).toEqual([]);
    expect(outlierWarning('x', [10, 10.1, 9.9, 500])).toBeUndefined();
    expect(findOutliers([10, 10.1, 9.9, 10, 500]).map((o) => o.index)).toEqual([4]);
  });

  it('scores values at the limits of a double without overflowing', () => {
    const z = modifiedZScores([-1.7e308, 1e308, 1e308, 1e308, 1e308, 1e308]);
    expect(z.every(Number.isFinite)).toBe(true);
    expect(findOutliers([-1.7e308, 1e308, 1e308, 1e308, 1e308, 1e308]).map((o) => o.index)).toEqual([0]);
  });

  it('warns with a suggestion and never removes anything', () => {
    const values = [100, 101, 99, 100, 60, 100.5, 99.5];
    const w = outlierWarning('tcg/cpu cpu.events_per_s', values, [1, 2, 3, 4, 5, 6, 7]);
    expect(w).toMatch(/^tcg\/cpu cpu\.events_per_s: 1 of 7 values is an outlier \(\|modified Z\| > 3\.5\): rep 5: 60 \(modified Z -/);
    expect(w).toMatch(/kept in every statistic/);
    expect(w).toMatch(/Suggestion: other work on this machine/);
    expect(values).toHaveLength(7);
    expect(outlierWarning('x', [100, 101, 99])).toBeUndefined();
  });

  it('suggests warm-up repetitions when the first repetition stands out', () => {
    const w = outlierWarning('boot', [3000, 2000, 2010, 1990, 2005, 1995], [1, 2, 3, 4, 5, 6]);
    expect(w).toMatch(/rep 1: 3000/);
    expect(w).toMatch(/add warm-up repetitions \(suite field `warmup`\)/);
  });
});
