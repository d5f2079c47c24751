import type { RunningVm } from '../backends/common/backend.ts';
import { describeError } from '../util/errors.ts';

/**
 * The start barrier of a density case: N guests boot at once, each says `barrier=waiting`
 * after its ready frame and its probes, and none starts its measured steps before every
 * one of them is waiting. Then each gets its own `go <nonce>` line (RunningVm.release), so
 * the steps start together, give or take the few milliseconds the lines take.
 */

/** What one guest's repetition tells the barrier (runRepetition's `barrier` input). */
export interface StartBarrier {
  /** The guest reported `barrier=waiting`: it waits for `go <nonce>` through `vm`. */
  arrive(vm: RunningVm, nonce: string): void;
}

/**
 * The barrier of one density repetition. `guest(i)` is what guest i's repetition reports
 * to; `fail(i, why)` says guest i ended before the barrier fell, which stops the others
 * through `stop` (their repetitions then end as interrupted).
 */
export class DensityBarrier {
  private readonly waiting = new Map<number, { vm: RunningVm; nonce: string }>();
  /** Host clock (ms) when every guest's `go` line had been written; undefined until then. */
  releasedAt: number | undefined;
  /** Why the barrier never fell (a guest failed first, or a release failed); undefined while it may still fall. */
  broken: string | undefined;

  constructor(
    readonly count: number,
    private readonly stop: (why: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  guest(index: number): StartBarrier {
    return { arrive: (vm, nonce) => this.arrive(index, vm, nonce) };
  }

  private arrive(index: number, vm: RunningVm, nonce: string): void {
    if (this.broken !== undefined || this.waiting.has(index)) return;
    this.waiting.set(index, { vm, nonce });
    if (this.waiting.size === this.count) void this.releaseAll();
  }

  private async releaseAll(): Promise<void> {
    const guests = [...this.waiting];
    const results = await Promise.allSettled(
      guests.map(([, { vm, nonce }]) => {
        if (!vm.release) return Promise.reject(new Error('its VM takes no console input (the backend has no start barrier)'));
        return vm.release(nonce);
      }),
    );
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed >= 0) {
      const reason = (results[failed] as PromiseRejectedResult).reason;
      this.breakWith(`the start barrier could not be released in guest ${guests[failed]![0]}: ${describeError(reason)}`);
      return;
    }
    this.releasedAt = this.now();
  }

  /** Guest `index` ended; before the barrier fell that breaks it and stops the others. */
  ended(index: number, how: string): void {
    if (this.releasedAt !== undefined || this.broken !== undefined) return;
    if (this.waiting.size === this.count) return; // released meanwhile: the lines are on their way
    this.breakWith(`guest ${index} ended before the start barrier (${this.waiting.size} of ${this.count} were waiting): ${how}`);
  }

  private breakWith(why: string): void {
    this.broken = why;
    this.stop(why);
  }
}
