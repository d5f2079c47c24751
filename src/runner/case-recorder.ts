import { errorInfo, type CaseRecord, type ErrorInfo, type LostAttempt, type SetupRetry } from '../results/run-record.ts';
import { updateRun, type StoredRun } from '../results/store.ts';
import { recordReading } from '../results/manifest.ts';
import type { RepOutcome } from './repetition.ts';

/** Lines of the guest console kept in run.json when a case does not complete. */
const LOG_TAIL_LINES = 30;

/** The error code of a case skipped because its backend cannot run on its host (its probe said no). */
export const BACKEND_UNAVAILABLE = 'backend-unavailable';

/**
 * The one writer of a case's state in run.json: every status change of a case goes through
 * here, and is on disk before the runner goes on.
 */
export class CaseRecorder {
  constructor(private readonly run: StoredRun) {}

  /** A case that never starts: its backend or devices are not offered there, or its host does not answer. */
  notStarted(record: CaseRecord, plan: { skip: string; backendUnavailable: boolean } | { fail: string; host: string }): Promise<void> {
    return updateRun(this.run, () => {
      record.status = 'skip' in plan ? 'skipped' : 'failed';
      record.error = { message: 'skip' in plan ? plan.skip : plan.fail, ...('skip' in plan && plan.backendUnavailable ? { code: BACKEND_UNAVAILABLE } : {}) };
      if ('fail' in plan) record.host = plan.host;
    });
  }

  /** The case's devices and network are being prepared on `host`. */
  opening(record: CaseRecord, host: string): Promise<void> {
    return updateRun(this.run, () => {
      record.status = 'pending';
      record.host = host;
      record.startedAt = new Date().toISOString();
    });
  }

  /** The case failed outside a repetition (its devices or network could not be made). */
  failed(record: CaseRecord, e: unknown): Promise<void> {
    return updateRun(this.run, () => {
      record.status = 'failed';
      record.error = errorInfo(e);
      record.endedAt = new Date().toISOString();
    });
  }

  /** One repetition ended: its log and usage; a repetition that did not complete ends the case. */
  repetition(record: CaseRecord, outcome: RepOutcome, r: { rep: number; warmup: boolean; logFile: string; seq: number }): Promise<void> {
    return updateRun(this.run, () => {
      (record.logs ??= []).push(r.logFile);
      if (outcome.manifest) record.manifest = recordReading(record.manifest, outcome.manifest, r);
      if (outcome.usage) {
        record.usage.push({
          rep: r.rep,
          seq: r.seq,
          warmup: r.warmup,
          ...(outcome.accel ? { accel: outcome.accel } : {}),
          wallS: outcome.wallMs / 1000,
          cpuUserS: outcome.usage.cpuUserS,
          cpuSystemS: outcome.usage.cpuSystemS,
          peakRssKiB: outcome.usage.peakRssKiB,
        });
      }
      if (outcome.status === 'completed') {
        if (!r.warmup) record.repetitionsDone++;
        return;
      }
      record.status = outcome.status;
      record.error = errorInfo(new Error(`${r.warmup ? 'warm-up' : 'repetition'} ${r.rep}: ${outcome.error ?? outcome.status}`));
      record.guestLogTail = outcome.guestLog.slice(-LOG_TAIL_LINES);
      record.endedAt = new Date().toISOString();
    });
  }

  /** A repetition whose guest stopped by itself, to be run again (`run --retry-crashed`): kept, the case goes on. */
  lostAttempt(record: CaseRecord, attempt: LostAttempt): Promise<void> {
    return updateRun(this.run, () => {
      (record.lostAttempts ??= []).push(attempt);
      (record.logs ??= []).push(attempt.logFile);
    });
  }

  /** Every repetition of the case ran; on Ctrl-C it ends as failed, interrupted. */
  finished(record: CaseRecord, interrupted: boolean): Promise<void> {
    return updateRun(this.run, () => {
      record.status = interrupted ? 'failed' : 'completed';
      if (interrupted) record.error = { message: 'interrupted before all repetitions ran' };
      record.endedAt = new Date().toISOString();
    });
  }

  /**
   * Setup commands that ssh lost and that were run again: the case's when `record` is given,
   * else the run's own (inspecting the hosts). Nothing is written when there were none.
   */
  async retried(record: CaseRecord | undefined, retries: readonly SetupRetry[]): Promise<void> {
    if (retries.length === 0) return;
    await updateRun(this.run, (r) => {
      (record ? (record.retries ??= []) : (r.retries ??= [])).push(...retries);
    });
  }

  /** After a stop, the cases left pending: skipped when none of their repetitions ran, failed otherwise. */
  notRun(stop: ErrorInfo): Promise<void> {
    return updateRun(this.run, (r) => {
      for (const c of r.cases) {
        if (c.status !== 'pending') continue;
        const started = c.repetitionsDone > 0;
        c.status = started ? 'failed' : 'skipped';
        c.error = { ...stop, message: `${started ? 'stopped before all repetitions ran' : 'not run'}: ${stop.message}` };
        c.endedAt = new Date().toISOString();
      }
    });
  }
}
