import type { Host, ProcessExit } from '../../hosts/host.ts';
import { describeProcessExit } from '../../hosts/piped-process.ts';
import { sshLostLine } from '../../hosts/ssh-errors.ts';
import type { RunningVm, VmExit, VmmUsage } from './backend.ts';
import { trackVm } from './live-vms.ts';
import { settlesWithin } from './settles-within.ts';
import { CappedLog, ConsoleStream, streamDone } from './vmm-output.ts';
import type { StartedProcess } from './vmm-spawn.ts';

/** How long the end of a VM waits for the last console and stderr bytes after its process exited. */
export const DRAIN_TIMEOUT_MS = 2_000;
/** How often consoleQuiet() looks whether the console is still talking. */
const QUIET_POLL_MS = 100;

/** What a backend tells the lifecycle about its VMM. */
export interface VmmSpecifics {
  /** The VMM as messages name it: `QEMU`, `xl`, `the native run`. */
  name: string;
  /** Reads the VMM's usage now; undefined when it cannot be read. */
  readUsage(): Promise<VmmUsage | undefined>;
  /** How kill() ends the VMM, once its usage was read. */
  killing(): VmmEnding;
  /** At once when the process has exited, before its output is drained (the native run waits for its whole group here). */
  afterExit?(): Promise<void>;
  /** After the exit and the drained output, before the VM is untracked and its folder removed: close QMP, destroy a domain, read a final usage. */
  cleanUp?(): Promise<void>;
  /** The outcome when the process ended and nothing had decided one; default `exited` with its status. */
  exitOutcome?(exit: ProcessExit): VmExit;
  /** Each complete line the VMM writes on stderr (xl's domain monitor); every byte also goes to the VMM log. */
  onStderrLine?(line: string): void;
}

/** One way to end the VMM, and what happens when its process does not exit after it. */
export interface VmmEnding {
  /** Asks or makes the VMM end: QMP `quit`, `xl destroy`, SIGKILL to its process group. */
  request(): Promise<unknown>;
  /** Its process must have exited this long after the request. */
  timeoutMs: number;
  /** The VMM log line (after `hvbench: `) when it did not, e.g. `QEMU did not exit within 10000 ms of quit; killed`. */
  late: string;
  /** Then: default SIGKILL to the local process (for a remote VMM, the ssh carrying it). */
  force?(): Promise<void>;
}

export interface VmLifecycleOptions {
  host: Host;
  /** The spawned local process: the VMM itself, or the ssh that carries it to another host (its group is what live-vms kills). */
  process: StartedProcess;
  /** The VM's private directory on its host, removed at the end. */
  tempDir: string;
  /** kill() reads the usage first, but does not wait longer than this for it. */
  usageReadTimeoutMs: number;
  /** For a VMM on another host: kills it there (live-vms' emergency path; asynchronous, never throws). */
  remoteKill?: () => Promise<void>;
}

/**
 * The life of one VM process, the same for every backend: console and VMM log from its
 * output, registration in live-vms, the first cause of the end (decided once: a guest stop,
 * kill() or the process exiting), usage read before the VMM goes, an idempotent kill, and a
 * wait() that resolves once the process is gone, its output drained, the backend cleaned up
 * and the private directory removed. A backend's RunningVm owns one and adds what is its
 * own through VmmSpecifics (how to read usage, how to end the VMM, what to clean up).
 */
export class VmLifecycle {
  readonly console = new ConsoleStream();
  readonly log = new CappedLog();
  /** Resolves once the process has exited and its stderr drained (never rejects). */
  readonly processExit: Promise<void>;
  private readonly finished: Promise<VmExit>;
  private decided: VmExit | undefined;
  private gone = false;
  private exitDescription = '';
  private cachedUsage: VmmUsage | undefined;
  /** Set once usage was read with the guest stopped (or just before a kill). */
  private usageFinal = false;
  private killingPromise: Promise<void> | undefined;
  private lastConsoleAt = Date.now();
  private stderrRest = '';

  constructor(
    vm: RunningVm,
    private readonly specifics: VmmSpecifics,
    private readonly options: VmLifecycleOptions,
  ) {
    const { process: child, host } = options;
    const stdoutDone = streamDone(child.stdout, () => this.console.end());
    const stderrDone = streamDone(child.stderr);
    child.stdout.on('data', (bytes: Buffer) => {
      this.lastConsoleAt = Date.now();
      this.console.push(bytes);
    });
    child.stderr.on('data', (bytes: Buffer) => this.onStderr(bytes));
    const untrack = trackVm(vm, child.pid, options.remoteKill);
    this.processExit = child.exited.then(async (exit) => {
      this.gone = true;
      this.exitDescription = describeProcessExit(exit);
      if (exit.error !== undefined && exit.exitCode === null && exit.signal === null)
        this.log.append(`hvbench: lost track of ${specifics.name}: ${exit.error}\n`);
      await specifics.afterExit?.();
      // Its last words on stderr may still be in the pipe; they may decide the outcome (xl's monitor).
      await settlesWithin(stderrDone, DRAIN_TIMEOUT_MS);
      this.flushStderrLine();
      if (this.decided === undefined) {
        // The local process of a remote VMM is ssh; its 255 is ssh's own failure, not the VMM's.
        const lost = sshLostLine(host, exit.exitCode);
        if (lost !== undefined) this.log.append(lost);
        this.decided = specifics.exitOutcome?.(exit) ?? { kind: 'exited', exitCode: exit.exitCode, signal: exit.signal };
      }
    });
    this.finished = this.processExit.then(async () => {
      await settlesWithin(stdoutDone, DRAIN_TIMEOUT_MS);
      await specifics.cleanUp?.();
      untrack();
      await host.removeTree(options.tempDir).catch(() => {});
      return this.decided!;
    });
  }

  /** The first cause of the end, once known. */
  get outcome(): VmExit | undefined {
    return this.decided;
  }

  /** True once the process has exited. */
  get processGone(): boolean {
    return this.gone;
  }

  /** Fixes the outcome unless one is known already; true when this one is it. */
  decide(outcome: VmExit): boolean {
    if (this.decided !== undefined) return false;
    this.decided = outcome;
    return true;
  }

  onConsole(listener: (chunk: string) => void): void {
    this.console.onChunk(listener);
  }

  wait(): Promise<VmExit> {
    return this.finished;
  }

  /** Reads the usage, then ends the VMM (VmmSpecifics.killing); idempotent. */
  kill(reason: string): Promise<void> {
    this.killingPromise ??= (async () => {
      // An exit that already happened decides its own outcome (see processExit).
      if (!this.gone) this.decide({ kind: 'killed', reason });
      if (!this.gone) {
        await settlesWithin(this.freezeUsage(), this.options.usageReadTimeoutMs);
        await this.end(this.specifics.killing());
      }
      await this.finished;
    })();
    return this.killingPromise;
  }

  /** The latest usage while the VMM runs; the frozen one after freezeUsage() or the exit. */
  async usage(): Promise<VmmUsage | undefined> {
    if (!this.usageFinal && !this.gone) {
      const fresh = await this.specifics.readUsage();
      if (fresh !== undefined && !this.usageFinal) this.cachedUsage = fresh;
    }
    return this.cachedUsage;
  }

  /** Reads the usage one last time (the guest has stopped, or a kill follows); later reads return it. */
  async freezeUsage(): Promise<void> {
    if (this.usageFinal) return;
    const usage = await this.specifics.readUsage();
    if (usage !== undefined) this.cachedUsage = usage;
    this.usageFinal = true;
  }

  /** Replaces the usage with one known only at the end (busybox time's figure), or with none. */
  settleUsage(usage: VmmUsage | undefined): void {
    this.cachedUsage = usage;
    this.usageFinal = true;
  }

  /**
   * Ends the VMM one way: the request, then its process must exit within the ending's
   * timeout, or the log says so and it is forced. Nothing happens once the process is gone.
   */
  async end(ending: VmmEnding): Promise<void> {
    if (this.gone) return;
    await ending.request();
    if (this.gone || (await settlesWithin(this.processExit, ending.timeoutMs)) || this.gone) return;
    this.log.append(`hvbench: ${ending.late}\n`);
    if (ending.force) await ending.force();
    else this.options.process.kill('SIGKILL');
  }

  /** Resolves once the console has been quiet for `quietMs` (or the process is gone, or `maxMs` passed). */
  async consoleQuiet(quietMs: number, maxMs: number): Promise<void> {
    const t0 = Date.now();
    while (!this.gone && Date.now() - this.lastConsoleAt < quietMs && Date.now() - t0 < maxMs) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(QUIET_POLL_MS, quietMs)));
    }
  }

  vmmLog(): string {
    return this.log.text();
  }

  /** How the process ended, with the VMM's last words: for errors while starting. */
  describeExit(): string {
    const tail = this.log.tail();
    return tail === '' ? this.exitDescription : `${this.exitDescription}; ${this.specifics.name} said:\n${tail}`;
  }

  private onStderr(bytes: Buffer): void {
    this.log.push(bytes);
    if (this.specifics.onStderrLine === undefined) return;
    const lines = (this.stderrRest + bytes.toString('utf8')).split('\n');
    this.stderrRest = lines.pop() ?? '';
    for (const line of lines) this.specifics.onStderrLine(line);
  }

  /** The last stderr line, if it had no newline. */
  private flushStderrLine(): void {
    const rest = this.stderrRest;
    this.stderrRest = '';
    if (rest !== '') this.specifics.onStderrLine?.(rest);
  }
}
