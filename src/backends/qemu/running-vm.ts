import type { ResultPromise } from 'execa';
import type { Host } from '../../hosts/host.ts';
import { sshLostLine } from '../../hosts/ssh-errors.ts';
import { HvbError } from '../../util/errors.ts';
import type { RunningVm, VmExit, VmmUsage } from '../common/backend.ts';
import { trackVm } from '../common/live-vms.ts';
import { parseProcessGroup } from '../common/process-group.ts';
import { readProcessUsage } from '../common/proc-usage.ts';
import { confirmAccel, type ConfirmedAccel } from './accel.ts';
import type { QemuAccel } from './argv.ts';
import { describeGuestStop, guestStopCause, stoppedStatusCause } from './events.ts';
import type { QmpClient } from './qmp.ts';
import { connectQmpWhenReady } from './qmp-ready.ts';
import { settlesWithin } from '../common/settles-within.ts';
import { CappedLog, ConsoleStream, streamDone } from '../common/vmm-output.ts';

/** How long to wait for the last console and stderr bytes after QEMU exited. */
const DRAIN_TIMEOUT_MS = 2_000;
/** kill() reads the usage first, but does not wait longer than this for it. */
const USAGE_READ_TIMEOUT_MS = 2_000;
/** A remote kill must end the local ssh within this; otherwise that ssh is killed (its watchdog then acts). */
const REMOTE_KILL_TIMEOUT_MS = 5_000;

/** Where the VMM runs and how to find it. */
export interface QemuProcess {
  /** The spawned local process: QEMU itself, or the ssh carrying it to a remote host. */
  localPid: number;
  /** QEMU's pid on its host, when known at start (the local host: the spawned process). */
  vmmPid?: number;
  /** Otherwise, QEMU's pid file on its host (`-pidfile`), read once QMP answers. */
  pidFile?: string;
  /** The VM's private directory on its host, removed at the end. */
  tempDir: string;
  quitTimeoutMs: number;
}

/**
 * A QEMU process and its guest. Create with startQemu() or launchQemuVm().
 *
 * The end is decided by the first of: the guest stops itself (QMP SHUTDOWN from the guest,
 * GUEST_PANICKED, or a STOP into `internal-error`/`io-error`: QEMU stays paused thanks to
 * -no-shutdown, usage is read, then `quit`), kill(), or the process exiting by itself. wait() resolves once the process is gone, the console
 * drained, QMP closed and the private directory removed.
 *
 * Everything on QEMU's host goes through the Host: QMP (`connectUnix`), usage (`/proc` via
 * `readFile`), the kill (`signalGroup`). On a remote host the local process is ssh; when it
 * ends, QEMU has ended (or its watchdog kills it).
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

  private readonly child: ResultPromise;
  /** The spawned local process: QEMU itself on the local host, the ssh carrying it otherwise. */
  readonly localPid: number;
  private vmmPid: number | undefined;
  private readonly pidFile: string | undefined;
  readonly tempDir: string;
  private readonly quitTimeoutMs: number;

  constructor(
    private readonly host: Host,
    child: ResultPromise,
    vmm: QemuProcess,
  ) {
    this.child = child;
    this.localPid = vmm.localPid;
    this.vmmPid = vmm.vmmPid;
    this.pidFile = vmm.pidFile;
    this.tempDir = vmm.tempDir;
    this.quitTimeoutMs = vmm.quitTimeoutMs;
    const stdoutDone = streamDone(child.stdout, () => this.console.end());
    const stderrDone = streamDone(child.stderr);
    child.stdout?.on('data', (bytes: Buffer) => this.console.push(bytes));
    child.stderr?.on('data', (bytes: Buffer) => this.log.push(bytes));
    this.untrack = trackVm(this, vmm.localPid, host.kind === 'local' ? undefined : () => this.signalVmm());
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

  /** QEMU's pid on the host it runs on (0 while a remote QEMU's pid is not yet known). */
  get pid(): number {
    return this.vmmPid ?? 0;
  }

  /** The QMP connection, for backends that need more than this class does. */
  get qmpClient(): QmpClient | undefined {
    return this.qmp;
  }

  /** @internal Called once by startQemu(). */
  async connect(socketPath: string, accel: QemuAccel, timeoutMs: number): Promise<void> {
    const qmp = await connectQmpWhenReady(
      { label: socketPath, open: () => this.host.connectUnix(socketPath) },
      { timeoutMs, exited: this.processExit, describeExit: () => this.describeExit() },
    );
    this.qmp = qmp;
    // QEMU wrote its pid file before it opened the QMP socket.
    if (this.vmmPid === undefined) this.vmmPid = await this.readVmmPid();
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
    // The guest runs from QEMU's start: it may have stopped for good (a KVM internal error
    // within milliseconds) before QMP was connected, so its STOP event was never seen.
    void this.onVmPaused(qmp);
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
        if (!this.processGone) await this.killVmm();
      }
      await this.finished;
    })();
    return this.killing;
  }

  async usage(): Promise<VmmUsage | undefined> {
    if (!this.usageFinal && !this.processGone && this.vmmPid !== undefined) {
      const fresh = await readProcessUsage(this.host, this.vmmPid);
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
      await this.killVmm();
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
    // The local process of a remote QEMU is ssh; its 255 is ssh's own failure, not QEMU's.
    const lost = this.outcome === undefined ? sshLostLine(this.host, exitCode) : undefined;
    if (lost !== undefined) this.log.append(lost);
    this.outcome ??= { kind: 'exited', exitCode, signal };
  }

  /**
   * SIGKILL to QEMU's process group on its host. For a remote QEMU, the local ssh must then
   * end; if it does not (the kill did not get through, or QEMU's pid was never known), the
   * ssh is killed too, and the remote watchdog ends the group when its channel closes.
   */
  private async killVmm(): Promise<void> {
    await this.signalVmm();
    if (this.host.kind === 'local' || this.processGone) return;
    if (!(await settlesWithin(this.processExit, REMOTE_KILL_TIMEOUT_MS))) {
      this.log.append(`hvbench: the ssh carrying QEMU did not end within ${REMOTE_KILL_TIMEOUT_MS} ms of the kill; killed it\n`);
      this.child.kill('SIGKILL');
    }
  }

  /** Sends SIGKILL to QEMU's group if its pid is known; never throws (the reason goes to the VMM log). */
  private async signalVmm(): Promise<void> {
    if (this.vmmPid === undefined) {
      this.child.kill('SIGKILL');
      return;
    }
    try {
      await this.host.signalGroup(this.vmmPid, 'SIGKILL');
    } catch (error) {
      this.log.append(`hvbench: could not kill QEMU: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  /** A remote QEMU's pid, from its pid file; it must lead its own process group (the unit signalGroup kills). */
  private async readVmmPid(): Promise<number> {
    const text = await this.host.readFile(this.pidFile!).catch((error: unknown) => {
      throw new HvbError('vmm-no-pid', `QEMU wrote no pid file ${this.pidFile}: ${error instanceof Error ? error.message : String(error)}`, {
        hint: 'the argv must contain -pidfile with the path startQemu() passes',
      });
    });
    const pid = Number(text.trim());
    if (!Number.isInteger(pid) || pid <= 1) throw new HvbError('vmm-no-pid', `QEMU's pid file ${this.pidFile} holds ${JSON.stringify(text)}, not a pid`);
    const group = parseProcessGroup(await this.host.readFile(`/proc/${pid}/stat`).catch(() => ''));
    if (group !== pid) {
      throw new HvbError('vmm-not-group-leader', `QEMU (pid ${pid}) does not lead its own process group (group ${group ?? 'unknown'}) on ${this.host.name}`, {
        hint: 'the remote command must run as a session leader (sshd and dropbear do this; the wrapper falls back to setsid)',
      });
    }
    return pid;
  }

  private async freezeUsage(): Promise<void> {
    if (this.usageFinal || this.vmmPid === undefined) return;
    const usage = await readProcessUsage(this.host, this.vmmPid);
    if (usage !== undefined) this.cachedUsage = usage;
    this.usageFinal = true;
  }

  private describeExit(): string {
    const tail = this.log.tail();
    return tail === '' ? this.exitDescription : `${this.exitDescription}; QEMU said:\n${tail}`;
  }
}
