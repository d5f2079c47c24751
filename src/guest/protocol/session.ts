import { createHash } from 'node:crypto';
import { HvbError } from '../../util/errors.ts';
import type { StepOutput } from '../../workloads/workload.ts';
import { parseLine, type Frame } from './frames.ts';
import { LineSplitter, escapeLogLine } from './lines.ts';

interface StepState {
  chunks: string[];
  end?: { exitCode: number; elapsedMs: number; bytes: number; sha256: string };
}

/** Most guest log lines kept in memory; the rest is counted, not stored. */
export const MAX_LOG_LINES = 20_000;

/**
 * Most characters of guest log kept in memory, escaped; the lines beyond are counted, not
 * stored. Without it, MAX_LOG_LINES lines of MAX_LINE_CHARS control characters (four
 * characters each once escaped) would be gigabytes: a flooding guest could exhaust the host's heap.
 */
export const MAX_LOG_CHARS = 8 * 1024 * 1024;

/** Most notes on rejected frames kept; they are diagnostics, and a guest could send any number. */
export const MAX_REJECTED = 1000;

/**
 * Everything one guest said on its console, sorted into trusted frames and log lines.
 * Feed it console chunks as they arrive; read the outcome when the VM has stopped.
 */
export class GuestSession {
  readonly log: string[] = [];
  droppedLogLines = 0;
  private logChars = 0;
  /** Host clock (ms since epoch) when `ready` arrived. */
  readyAt: number | undefined;
  uptimeAtReadyS: number | undefined;
  kernel: string | undefined;
  done = false;
  /** Host clock (ms since epoch) when `done` arrived. */
  doneAt: number | undefined;
  /** The guest's CLOCK_MONOTONIC (ns) in its `ready` and `done` frames, when it sent them. */
  guestClockAtReadyNs: number | undefined;
  guestClockAtDoneNs: number | undefined;
  readonly errors: string[] = [];
  /** Seconds between `alive` frames the guest promised in `ready`; undefined: no heartbeat. */
  aliveEveryS: number | undefined;
  /** Trusted frames received: a count that stops growing, with aliveEveryS, tells a hung guest. */
  frames = 0;
  /** `alive` frames received. */
  aliveFrames = 0;
  /** Facts the guest reported (e.g. the disk and its drivers); a later fact replaces an earlier one of the same key. */
  readonly facts: Record<string, string> = {};
  /** Nonce-carrying lines that did not validate. */
  readonly rejected: string[] = [];
  private readonly steps = new Map<string, StepState>();
  private readonly splitter: LineSplitter;
  private readonly listeners: ((frame: Frame) => void)[] = [];

  constructor(
    private readonly nonce: string,
    private readonly now: () => number = Date.now,
  ) {
    this.splitter = new LineSplitter((line, truncated) => this.onLine(line, truncated));
  }

  feed(chunk: string | Buffer): void {
    this.splitter.push(chunk);
  }

  /** Call once the console has closed. */
  close(): void {
    this.splitter.end();
  }

  onFrame(listener: (frame: Frame) => void): void {
    this.listeners.push(listener);
  }

  private keepLog(line: string): void {
    const safe = this.log.length < MAX_LOG_LINES ? this.safe(line) : undefined;
    if (safe !== undefined && this.logChars + safe.length <= MAX_LOG_CHARS) {
      this.log.push(safe);
      this.logChars += safe.length;
    } else {
      this.droppedLogLines++;
    }
  }

  /**
   * A guest line made safe to keep: escaped, then the nonce masked. In this order, because an
   * escape can complete a nonce (a control character 0x01 followed by "23…" becomes "\x0123…").
   */
  private safe(line: string): string {
    return escapeLogLine(line).split(this.nonce).join('<nonce>');
  }

  private onLine(line: string, truncated: boolean): void {
    const parsed = truncated ? ({ trusted: false, reason: 'line too long' } as const) : parseLine(line, this.nonce);
    if (!parsed.trusted) {
      // A frame is never echoed into the log with the nonce intact: the log may be shared.
      this.keepLog(line);
      if (parsed.reason && line.includes(this.nonce) && this.rejected.length < MAX_REJECTED)
        this.rejected.push(this.safe(`${parsed.reason}: ${line.slice(0, 200)}`));
      return;
    }
    this.apply(parsed.frame);
    for (const l of this.listeners) l(parsed.frame);
  }

  private step(id: string): StepState {
    let s = this.steps.get(id);
    if (!s) {
      s = { chunks: [] };
      this.steps.set(id, s);
    }
    return s;
  }

  private apply(frame: Frame): void {
    this.frames++;
    switch (frame.kind) {
      case 'ready':
        if (this.readyAt === undefined) {
          this.readyAt = this.now();
          this.uptimeAtReadyS = frame.uptimeS;
          this.kernel = frame.kernel;
          this.guestClockAtReadyNs = frame.clockNs;
          this.aliveEveryS = frame.aliveEveryS;
        }
        break;
      case 'alive':
        this.aliveFrames++;
        break;
      case 'begin':
      case 'ran':
        // The host's event reads around the step (src/runner/event-windows.ts) listen for them.
        break;
      case 'out':
        this.step(frame.step).chunks.push(frame.base64);
        break;
      case 'end':
        this.step(frame.step).end = { exitCode: frame.exitCode, elapsedMs: frame.elapsedMs, bytes: frame.bytes, sha256: frame.sha256 };
        break;
      case 'fact':
        Object.assign(this.facts, frame.facts);
        break;
      case 'error':
        this.errors.push(frame.message);
        break;
      case 'done':
        if (!this.done) {
          this.doneAt = this.now();
          this.guestClockAtDoneNs = frame.clockNs;
        }
        this.done = true;
        break;
    }
  }

  /** Ids of steps that finished (an `end` frame arrived), in arrival order. */
  finishedSteps(): string[] {
    return [...this.steps].filter(([, s]) => s.end).map(([id]) => id);
  }

  /**
   * The decoded output of every finished step; throws if a step's output arrived damaged
   * (its length or its sha256 differ from what the guest said it sent).
   */
  stepOutputs(): StepOutput[] {
    const outputs: StepOutput[] = [];
    for (const [id, s] of this.steps) {
      if (!s.end) continue;
      const bytes = Buffer.from(s.chunks.join(''), 'base64');
      const damage =
        bytes.length !== s.end.bytes
          ? `${bytes.length} bytes decoded, the guest sent ${s.end.bytes}`
          : createHash('sha256').update(bytes).digest('hex') !== s.end.sha256
            ? `all ${bytes.length} bytes arrived but their sha256 differs from the guest's`
            : undefined;
      if (damage !== undefined) {
        const rejected =
          this.rejected.length === 0 ? '' : `; ${this.rejected.length} line(s) with the run's nonce did not validate, the first: ${this.rejected[0]}`;
        throw new HvbError('console-corrupt', `output of guest step "${id}" arrived damaged: ${damage}${rejected}`, {
          hint: 'the console lost or changed a line on its way (another writer interleaved with the agent, or the transport dropped bytes); the guest log shows the lines around it',
        });
      }
      outputs.push({ id, exitCode: s.end.exitCode, output: bytes.toString('utf8'), elapsedMs: s.end.elapsedMs });
    }
    return outputs;
  }

  lastLogLines(n: number): string[] {
    return this.log.slice(-n);
  }
}
