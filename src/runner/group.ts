import type { Sample } from '../results/sample.ts';
import { shouldContinueRound, type StoppingPolicy } from '../stats/stopping.ts';
import type { RunControl } from './run-control.ts';

/** What the scheduler reads of a case in a group. */
export interface Scheduled {
  /** Warm-up repetitions to run before measuring. */
  warmup: number;
  /** Values of the metric that drives the stopping rule, one per measured repetition. */
  stopValues: number[];
  failed: boolean;
}

/** What the scheduler asks the runner to do; it records nothing itself. */
export interface GroupSteps<M extends Scheduled> {
  /** Prepares the member's devices and network (a failure marks it failed). */
  open(m: M): Promise<void>;
  /** Runs one repetition; its samples, or none for a warm-up. */
  repeat(m: M, rep: number, warmup: boolean): Promise<Sample[]>;
  /** Every repetition of the member ran. */
  finish(m: M): Promise<void>;
  /** Releases what open() made, whatever happened. */
  release(m: M): Promise<void>;
}

/**
 * Runs a group, cases that differ only in their backend or its variant taking turns
 * (A B A B …): every member's warm-ups, then rounds of one measured repetition per member
 * until each has `policy.min`, then more rounds while the stopping rule asks for them (a CI
 * target, capped by `max` and the time budget). A member that fails stops; the others go on.
 */
export async function runGroup<M extends Scheduled>(
  members: readonly M[],
  policy: StoppingPolicy,
  control: RunControl,
  steps: GroupSteps<M>,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const m of members) await steps.open(m);
  try {
    for (const m of members) {
      for (let rep = 1; rep <= m.warmup && !m.failed && !control.stopped; rep++) samples.push(...(await steps.repeat(m, rep, true)));
    }
    const t0 = Date.now();
    while (!control.stopped) {
      const active = members.filter((m) => !m.failed);
      if (active.length === 0) break;
      // Members behind the minimum go first (after a resume they may have kept different counts).
      const behind = active.filter((m) => m.stopValues.length < policy.min);
      if (
        behind.length === 0 &&
        !shouldContinueRound(
          active.map((m) => m.stopValues),
          policy,
          Date.now() - t0,
        ).continue
      )
        break;
      for (const m of behind.length > 0 ? behind : active) {
        if (control.stopped) break;
        samples.push(...(await steps.repeat(m, m.stopValues.length + 1, false)));
      }
    }
    for (const m of members.filter((x) => !x.failed)) {
      // Stopped by --fail-fast or a fault before its repetitions were done: recorded at the end (CaseRecorder.notRun).
      if (control.stop && !control.interrupted && m.stopValues.length < policy.min) continue;
      await steps.finish(m);
    }
  } finally {
    for (const m of members) await steps.release(m);
  }
  return samples;
}
