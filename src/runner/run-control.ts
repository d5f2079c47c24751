import type { ErrorInfo } from '../results/run-record.ts';
import type { RunObserver } from './events.ts';

/**
 * What the loops of every host share: the order of repetitions (`seq`, recorded with every
 * sample), the progress count, and why no further repetition starts (Ctrl-C, `--fail-fast`,
 * a fault). The one place that decides whether the run goes on.
 */
export class RunControl {
  private nextSeq: number;
  /** `seq` of this sitting's first repetition (not 0 when resumed): progress counts from there. */
  readonly first: number;
  /** Repetitions this sitting is expected to run; grows when the stopping rule asks for more. */
  total: number;
  /** Why no further repetition starts, once something stopped the run. */
  stop?: ErrorInfo;
  /** The fault that stopped the run, thrown once the run is recorded as failed. */
  fatal?: unknown;

  constructor(
    first: number,
    total: number,
    readonly observe: RunObserver,
    private readonly signal?: AbortSignal,
  ) {
    this.nextSeq = first;
    this.first = first;
    this.total = total;
  }

  /** The next repetition's place in the run, and its index in this sitting's progress. */
  take(): { seq: number; index: number } {
    const seq = this.nextSeq++;
    const index = seq - this.first + 1;
    this.total = Math.max(this.total, index);
    return { seq, index };
  }

  get interrupted(): boolean {
    return this.signal?.aborted === true;
  }

  /** True once the run must not start another repetition. */
  get stopped(): boolean {
    return this.interrupted || this.stop !== undefined;
  }

  /** Stops the run for this reason, unless it is already stopped for another. */
  stopFor(reason: ErrorInfo): void {
    this.stop ??= reason;
  }

  /** A fault that ends every host's loop: the first is kept and thrown at the end. */
  fault(e: unknown, info: ErrorInfo): void {
    this.fatal ??= e;
    this.stopFor(info);
  }
}
