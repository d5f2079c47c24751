import { describe, expect, it } from 'vitest';
import { shouldContinue, shouldContinueRound, stoppingPolicySchema } from '../../src/stats/stopping.ts';

const tight = [100, 100.2, 99.8, 100.1, 99.9];
const loose = [100, 110, 90, 105, 95];

describe('stopping rule', () => {
  it('always runs the minimum, even over the time budget', () => {
    expect(shouldContinue([1, 2], { min: 3, max: 10, timeBudgetSec: 1 }, 60_000)).toMatchObject({ continue: true, reason: 'below-minimum' });
  });

  it('stops at the minimum without a CI target', () => {
    expect(shouldContinue(loose, { min: 5, max: 5 }, 0)).toMatchObject({ continue: false, reason: 'fixed-count' });
    expect(shouldContinue(loose, { min: 5, max: 20 }, 0)).toMatchObject({ continue: false, reason: 'fixed-count' });
  });

  it('goes on while the CI is wider than the target, and stops once it is narrow enough', () => {
    const policy = { min: 5, max: 20, targetCiHalfWidth: 0.01 };
    // loose: sd 7.9, half-width 2.776 · 7.9/√5 ≈ 9.8 % > 1 %
    const wide = shouldContinue(loose, policy, 1000);
    expect(wide).toMatchObject({ continue: true, reason: 'ci-too-wide' });
    expect(wide.ciHalfWidth).toBeCloseTo((2.77644511 * Math.sqrt(62.5)) / Math.sqrt(5) / 100, 6);
    expect(shouldContinue(tight, policy, 1000)).toMatchObject({ continue: false, reason: 'ci-target-met' });
  });

  it('stops at the maximum and before the next repetition would pass the budget', () => {
    expect(shouldContinue(loose, { min: 2, max: 5, targetCiHalfWidth: 0.01 }, 0)).toMatchObject({ continue: false, reason: 'maximum' });
    // 5 repetitions took 50 s: a sixth would end near 60 s > 55 s.
    expect(shouldContinue(loose, { min: 5, max: 20, targetCiHalfWidth: 0.01, timeBudgetSec: 55 }, 50_000)).toMatchObject({
      continue: false,
      reason: 'time-budget',
    });
    expect(shouldContinue(loose, { min: 5, max: 20, targetCiHalfWidth: 0.01, timeBudgetSec: 65 }, 50_000)).toMatchObject({ continue: true });
  });

  it('runs another interleaved round while any member needs one', () => {
    const policy = { min: 5, max: 20, targetCiHalfWidth: 0.01 };
    expect(shouldContinueRound([tight, loose], policy, 0)).toMatchObject({ continue: true, reason: 'ci-too-wide' });
    expect(shouldContinueRound([tight, tight], policy, 0)).toMatchObject({ continue: false, reason: 'ci-target-met' });
    expect(shouldContinueRound([tight, loose], { ...policy, min: 2, max: 5 }, 0)).toMatchObject({ continue: false, reason: 'maximum' });
    expect(shouldContinueRound([[1], loose], policy, 0)).toMatchObject({ continue: true, reason: 'below-minimum' });
  });

  it('has a schema for suites', () => {
    expect(stoppingPolicySchema.safeParse({ min: 10, max: 30, targetCiHalfWidth: 0.01 }).success).toBe(true);
    expect(stoppingPolicySchema.safeParse({ min: 10, max: 5 }).success).toBe(false);
  });
});
