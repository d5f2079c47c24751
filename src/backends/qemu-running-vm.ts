import type { ResultPromise } from 'execa';
import type { Host } from '../hosts/host.ts';
import { HvbError } from '../util/errors.ts';
import type { RunningVm, VmExit, VmmUsage } from './backend.ts';
import { trackVm } from './live-vms.ts';
import { killProcessGroup } from './process-group.ts';
import { readProcessUsage } from './proc-usage.ts';
import { confirmAccel, type ConfirmedAccel } from './qemu-accel.ts';
import type { QemuAccel } from './qemu-argv.ts';
import { describeGuestStop, guestStopCause, stoppedStatusCause } from './qemu-events.ts';
import type { QmpClient } from './qmp.ts';
import { connectQmpWhenReady } from './qmp-ready.ts';
import { settlesWithin } from './settles-within.ts';
import { CappedLog, ConsoleStream, streamDone } from './vmm-output.ts';

/** How long to wait for the last console and stderr bytes after QEMU exited. */
const DRAIN_TIMEOUT_MS = 2_000;
/** kill() reads the usage first, but does not wait longer than this for it. */
const USAGE_READ_TIMEOUT_MS = 2_000;

/**
 * A QEMU process and its guest. Create with startQemu() or launchQemuVm().
 *
 * The end is decided by the first of: the guest stops itself (QMP SHUTDOWN from the guest,
 * GUEST_PANICKED, or a STOP into `internal-error`/`io-error`: QEMU stays paused thanks to
 * -no-shutdown, usage is read, then `quit`), kill(), or the process exiting by itself. wait() resolves once the process is gone, the console
 * drained, QMP closed and the private directory removed.
 */
export class QemuVm implements RunningVm {
  accel: ConfirmedAccel = 'unknown';
  private qmp: QmpClient | undefined;
  private readonly console = new ConsoleStream();
  private readonly log = new CappedLog();
  /** The first cause of the end (guest stop, kill, or exit), fixed once known. */
  private outcome: VmExit | undefined;
  private exitDescription = '';
  private processGone = false;
  private readonly processExit: Promise<void>;
  private readonly finished: Promise<VmExit>;
  private cachedUsage: VmmUsage | undefined;
  /** Set once usage was read with the guest stopped (or just before a kill). */
  private usageFinal = false;
  private stopping = false;
  private killing: Promise<void> | undefined;
  private readonly untrack: () => void;

  constructor(
    private readonly host: Host,
    child: ResultPromise,
    readonly pid: number,
    readonly tempDir: string,
    private readonly quitTimeoutMs: number,
  ) {
    const stdoutDone = streamDone(child.stdout, () => this.console.end());
    const stderrDone = streamDone(child.stderr);
    child.stdout?.on('data', (bytes: Buffer) => this.console.push(bytes));
    child.stderr?.on('data', (bytes: Buffer) => this.log.push(bytes));
    this.untrack = trackVm(this, pid);
    this.processExit = child.then(
      async (result) => {
        this.onProcessExit(result.exitCode ?? null, result.signal ?? null);
        // Its last words on stderr may still be in the pipe.
        await settlesWithin(stderrDone, DRAIN_TIMEOUT_MS);
      },
      (error: unknown) => {
        // execa with `reject: false` does not reject; if it ever does, the process is gone all the same.
        this.onProcessExit(null, null);
        this.log.append(`hvbench: lost track of QEMU: ${error instanceof Error ? error.message : String(error)}\n`);
      },
    );
    this.finished = this.processExit.then(async () => {
      await settlesWithin(stdoutDone, DRAIN_TIMEOUT_MS);
      this.qmp?.close();
      this.untrack();
      await this.host.removeTree(this.tempDir).catch(() => {});
      return this.outcome!;
    });
  }

  /** The QMP connection, for backends that need more than this class does. */
  get qmpClient(): QmpClient | undefined {
    return this.qmp;
  }

  /** @internal Called once by startQemu(). */
  async connect(socketPath: string, accel: QemuAccel, timeoutMs: number): Promise<void> {
    const qmp = await connectQmpWhenReady(socketPath, {
      timeoutMs,
      exited: this.processExit,
      describeExit: () => this.describeExit(),
    });
    this.qmp = qmp;
    qmp.onEvent((event) => {
      const cause = guestStopCause(event);
      if (cause !== undefined) void this.onGuestStopped(cause);
      else if (event.event === 'STOP') void this.onVmPaused(qmp);
    });
    let found;
    try {
      found = await confirmAccel(qmp);
    } catch (error) {
      await settlesWithin(this.processExit, 500);
      if (!this.processGone) throw error;
      throw new HvbError('vmm-exited', `QEMU exited while starting: ${this.describeExit()}`, { cause: error });
    }
    this.accel = found.accel;
    if (found.accel !== accel) {
      throw new HvbError('accel-mismatch', `asked QEMU for ${accel}, but it runs ${found.accel} (${found.evidence})`, {
        hint: accel === 'kvm' ? 'check that /dev/kvm is usable by this user' : 'check the QEMU build and its accel modules',
      });
    }
  }

  onConsole(listener: (chunk: string) => void): void {
    this.console.onChunk(listener);
  }

  wait(): Promise<VmExit> {
    return this.finished;
  }

  kill(reason: string): Promise<void> {
    this.killing ??= (async () => {
      this.outcome ??= { kind: 'killed', reason };
      if (!this.processGone) {
        await settlesWithin(this.freezeUsage(), USAGE_READ_TIMEOUT_MS);
        if (!this.processGone) killProcessGroup(this.pid);
      }
      await this.finished;
    })();
    return this.killing;
  }

  async usage(): Promise<VmmUsage | undefined> {
    if (!this.usageFinal && !this.processGone) {
      const fresh = await readProcessUsage(this.host, this.pid);
      if (fresh !== undefined && !this.usageFinal) this.cachedUsage = fresh;
    }
    return this.cachedUsage;
  }

  vmmLog(): string {
    return this.log.text();
  }

  /** The guest stopped itself; QEMU is paused (-no-shutdown): read usage, then quit. */
  private async onGuestStopped(cause: string): Promise<void> {
    if (this.outcome !== undefined || this.stopping) return;
    this.stopping = true;
    this.outcome = { kind: 'shutdown', reason: describeGuestStop(cause), cause };
    // QEMU stops the vCPUs in the same main-loop turn that sent the event; a command's
    // answer comes after that, so once it is here the CPU time no longer moves.
    await this.qmp?.execute('query-status', undefined, { timeoutMs: this.quitTimeoutMs }).catch(() => {});
    await this.freezeUsage();
    await this.qmp?.execute('quit', undefined, { timeoutMs: this.quitTimeoutMs }).catch(() => {});
    const exited = await settlesWithin(this.processExit, this.quitTimeoutMs);
    if (!exited && !this.processGone) {
      this.log.append(`hvbench: QEMU did not exit within ${this.quitTimeoutMs} ms of quit; killed\n`);
      try {
        killProcessGroup(this.pid);
      } catch (error) {
        this.log.append(`hvbench: could not kill QEMU: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  }

  /** A STOP without a guest shutdown: find out whether QEMU stopped the guest for good. */
  private async onVmPaused(qmp: QmpClient): Promise<void> {
    const status = await qmp.execute<{ status?: string }>('query-status').catch(() => undefined);
    const cause = stoppedStatusCause(status?.status);
    if (cause !== undefined) await this.onGuestStopped(cause);
  }

  private onProcessExit(exitCode: number | null, signal: string | null): void {
    this.processGone = true;
    this.exitDescription = signal === null ? `exit code ${exitCode}` : `killed by ${signal}`;
    this.outcome ??= { kind: 'exited', exitCode, signal };
  }

  private async freezeUsage(): Promise<void> {
    if (this.usageFinal) return;
    const usage = await readProcessUsage(this.host, this.pid);
    if (usage !== undefined) this.cachedUsage = usage;
    this.usageFinal = true;
  }

  private describeExit(): string {
    const tail = this.log.tail();
    return tail === '' ? this.exitDescription : `${this.exitDescription}; QEMU said:\n${tail}`;
  }
}
