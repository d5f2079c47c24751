import { z } from 'zod';
import { relativeCiHalfWidth } from './ci.ts';

/**
 * How many measured repetitions a case gets: at least `min`; then, when the suite sets a
 * target, more until the 95 % confidence interval of the mean is narrow enough — never more
 * than `max`, and not when the next repetition would overrun the time budget.
 */

/** Default minimum of measured repetitions: the regression gate then catches an 8 % shift at CV 2 % in a 370-series family (docs/statistics.md). */
export const DEFAULT_MIN_REPETITIONS = 10;

export interface StoppingPolicy {
  /** Measured repetitions always run (a time budget does not cut them). */
  min: number;
  /** Cap; equal to `min` for a fixed count. */
  max: number;
  /** Target half-width of the 95 % CI of the mean, relative to the mean (0.01 = ±1 %). */
  targetCiHalfWidth?: number;
  /** Seconds of measured repetitions a case may take before it stops adding more. */
  timeBudgetSec?: number;
}

export const stoppingPolicySchema = z
  .strictObject({
    min: z.int().min(1),
    max: z.int().min(1),
    targetCiHalfWidth: z.number().gt(0).optional(),
    timeBudgetSec: z.number().gt(0).optional(),
  })
  .refine((p) => p.max >= p.min, { message: 'max must be at least min' });

export type StopReason = 'below-minimum' | 'fixed-count' | 'maximum' | 'time-budget' | 'ci-target-met' | 'ci-too-wide';

export interface StopDecision {
  continue: boolean;
  reason: StopReason;
  n: number;
  /** Current relative CI half-width, when a target is set. */
  ciHalfWidth?: number;
  message: string;
}

/**
 * Pure decision: after `values` (the measured values so far of the metric that drives the
 * rule) and `elapsedMs` (time spent on them), run another repetition?
 */
export function shouldContinue(values: readonly number[], policy: StoppingPolicy, elapsedMs: number): StopDecision {
  const n = values.length;
  if (n < policy.min) return { continue: true, reason: 'below-minimum', n, message: `${n} of at least ${policy.min} repetitions` };
  if (n >= policy.max)
    return { continue: false, reason: policy.max === policy.min ? 'fixed-count' : 'maximum', n, message: `reached ${policy.max} repetitions` };
  if (policy.targetCiHalfWidth === undefined) return { continue: false, reason: 'fixed-count', n, message: `${n} repetitions, no CI target` };
  const ciHalfWidth = relativeCiHalfWidth(values);
  if (ciHalfWidth <= policy.targetCiHalfWidth) {
    return { continue: false, reason: 'ci-target-met', n, ciHalfWidth, message: `CI half-width ${pct(ciHalfWidth)} ≤ target ${pct(policy.targetCiHalfWidth)}` };
  }
  if (policy.timeBudgetSec !== undefined && n > 0 && elapsedMs + elapsedMs / n > policy.timeBudgetSec * 1000) {
    return {
      continue: false,
      reason: 'time-budget',
      n,
      ciHalfWidth,
      message: `another repetition would pass the ${policy.timeBudgetSec} s budget (CI half-width ${pct(ciHalfWidth)}, target ${pct(policy.targetCiHalfWidth)})`,
    };
  }
  return { continue: true, reason: 'ci-too-wide', n, ciHalfWidth, message: `CI half-width ${pct(ciHalfWidth)} > target ${pct(policy.targetCiHalfWidth)}` };
}

/**
 * The same decision for an interleaved round (A B …): one more round when any member needs
 * one, unless some member hit the maximum or the budget. Returns the deciding member's answer.
 */
export function shouldContinueRound(members: readonly (readonly number[])[], policy: StoppingPolicy, elapsedMs: number): StopDecision {
  const decisions = members.map((values) => shouldContinue(values, policy, elapsedMs));
  const hardStop = decisions.find((d) => !d.continue && (d.reason === 'maximum' || d.reason === 'time-budget' || d.reason === 'fixed-count'));
  const needsMore = decisions.find((d) => d.continue);
  if (needsMore && needsMore.reason === 'below-minimum') return needsMore;
  if (hardStop) return hardStop;
  return needsMore ?? decisions[0] ?? { continue: false, reason: 'fixed-count', n: 0, message: 'no members' };
}

function pct(x: number): string {
  return `${Number((x * 100).toPrecision(3))} %`;
}
