import type { Host } from '../../hosts/host.ts';
import { outsideNetns } from '../../network/netns-host.ts';
import { HvbError } from '../../util/errors.ts';
import { writeGoLine } from '../common/barrier-input.ts';
import { LifecycleVm } from '../common/lifecycle-vm.ts';
import { parseProcessGroup } from '../../util/proc-group.ts';
import { readProcessUsage } from '../common/proc-usage.ts';
import { settlesWithin } from '../common/settles-within.ts';
import { VmLifecycle, type VmmEnding } from '../common/vm-lifecycle.ts';
import type { StartedProcess } from '../common/vmm-spawn.ts';
import { confirmAccel, type ConfirmedAccel } from './accel.ts';
import type { QemuAccel } from './argv.ts';
import { describeGuestStop, guestStopCause, stoppedStatusCause } from './events.ts';
import type { QmpClient } from './qmp.ts';
import { connectQmpWhenReady } from './qmp-ready.ts';
import { qemuReadBack } from './read-back.ts';
import { readJitStats } from './jit-stats.ts';
import { readKvmDebugfs } from './kvm-stats.ts';
import { type KvmEventReader, openKvmEvents } from './kvm-events.ts';
import type { EventCounts, EventSourceChoice } from '../common/backend.ts';

/** kill() reads the usage first, but does not wait longer than this for it. */
const USAGE_READ_TIMEOUT_MS = 2_000;
/** A kill must end the local process within this; otherwise it is killed too (for a remote QEMU that is ssh, whose end makes the watchdog act). */
const KILL_EXIT_TIMEOUT_MS = 5_000;
/** After QEMU exited while starting, how long to wait for its exit to be seen before blaming the start-up error alone. */
const START_EXIT_GRACE_MS = 500;

/** A process that serves the VM from beside QEMU (virtiofsd): stopped once the VM has ended. */
export interface VmCompanion {
  /** Ends it; idempotent. */
  stop(): Promise<void>;
  /** What it printed, added to the VMM log at the end. */
  log(): string;
}

/** Where the VMM runs and how to find it. */
export interface QemuProcess {
  /** QEMU's pid on its host, when known at start (the local host: the spawned process). */
  vmmPid?: number;
  /** Otherwise, QEMU's pid file on its host (`-pidfile`), read once QMP answers. */
  pidFile?: string;
  /** The VM's private directory on its host, removed at the end. */
  tempDir: string;
  quitTimeoutMs: number;
  /** A process started for this VM before QEMU (virtiofsd). */
  companion?: VmCompanion;
}

/**
 * A QEMU process and its guest. Create with startQemu() or launchQemuVm().
 *
 * The end is decided by the first of: the guest stops itself (QMP SHUTDOWN from the guest,
 * GUEST_PANICKED, or a STOP into `internal-error`/`io-error`: QEMU stays paused thanks to
 * -no-shutdown, usage is read, then `quit`), kill(), or the process exiting by itself
 * (VmLifecycle keeps that, the output and the end). wait() resolves once the process is
 * gone, the console drained, QMP closed and the private directory removed.
 *
 * Everything on QEMU's host goes through the Host: QMP (`connectUnix`), usage (`/proc` via
 * `readFile`), the kill (`signalGroup`). On a remote host the local process is ssh; when it
 * ends, QEMU has ended (or its watchdog kills it).
 */
export class QemuVm extends LifecycleVm {
  accel: ConfirmedAccel = 'unknown';
  private qmp: QmpClient | undefined;
  private kvmEvents: KvmEventReader | undefined;
  protected readonly life: VmLifecycle;
  private readonly child: StartedProcess;
  /** The spawned local process: QEMU itself on the local host, the ssh carrying it otherwise. */
  readonly localPid: number;
  private vmmPid: number | undefined;
  private readonly pidFile: string | undefined;
  readonly tempDir: string;
  private readonly quitTimeoutMs: number;

  constructor(
    private readonly host: Host,
    child: StartedProcess,
    vmm: QemuProcess,
  ) {
    super();
    this.child = child;
    this.localPid = child.pid;
    this.vmmPid = vmm.vmmPid;
    this.pidFile = vmm.pidFile;
    this.tempDir = vmm.tempDir;
    this.quitTimeoutMs = vmm.quitTimeoutMs;
    this.life = new VmLifecycle(
      this,
      {
        name: 'QEMU',
        readUsage: () => (this.vmmPid === undefined ? Promise.resolve(undefined) : readProcessUsage(this.host, this.vmmPid)),
        killing: () => this.killing(),
        cleanUp: async () => {
          await this.kvmEvents?.stop();
          this.qmp?.close();
          if (vmm.companion === undefined) return;
          await vmm.companion.stop();
          const said = vmm.companion.log().trim();
          if (said !== '') this.life.log.append(`hvbench: virtiofsd said:\n${said}\n`);
        },
      },
      {
        host,
        process: child,
        tempDir: vmm.tempDir,
        usageReadTimeoutMs: USAGE_READ_TIMEOUT_MS,
        ...(host.kind === 'local' ? {} : { remoteKill: () => this.signalVmm() }),
      },
    );
  }

  /** QEMU's pid on the host it runs on (0 while a remote QEMU's pid is not yet known). */
  get pid(): number {
    return this.vmmPid ?? 0;
  }

  /** The QMP connection, for backends that need more than this class does. */
  get qmpClient(): QmpClient | undefined {
    return this.qmp;
  }

  /**
   * Releases a density case's start barrier: the line goes to QEMU's stdin, the guest's
   * serial console (`-chardev stdio`); on a remote host through the ssh channel, whose
   * watchdog copies it to QEMU's stdin (Host.spawn's `forwardStdin`).
   */
  async release(token: string): Promise<void> {
    await writeGoLine(
      this.child.stdin,
      token,
      this.host.kind === 'local' ? "QEMU's stdin (the guest's console)" : `the ssh channel to QEMU's console on host ${this.host.name}`,
    );
  }

  /** The disks' cache mode as QEMU reports it over QMP (read-back.ts); empty without a QMP connection. */
  async readBack(): Promise<Record<string, string>> {
    return this.qmp ? qemuReadBack(this.qmp) : {};
  }

  /**
   * The VM's event counters (`run --count-events`): under KVM from the source opened at
   * launch (kvm-events.ts: debugfs, else perf), or debugfs on QEMU's host when none was
   * (kvm-stats.ts); under TCG the translator's statistics over QMP (jit-stats.ts).
   */
  async countEvents(): Promise<EventCounts> {
    if (this.accel === 'kvm') {
      if (this.kvmEvents) return this.kvmEvents.read();
      if (this.vmmPid === undefined) throw new HvbError('kvm-stats', "QEMU's pid is not known yet");
      // Outside the case's network namespace, whose /sys has no debugfs mounted.
      return readKvmDebugfs(outsideNetns(this.host), this.vmmPid);
    }
    if (this.accel === 'tcg') {
      if (!this.qmp) throw new HvbError('qmp', 'no QMP connection');
      return readJitStats(this.qmp);
    }
    throw new HvbError('event-source', `no event counters for QEMU with accelerator ${this.accel}`);
  }

  /**
   * Under KVM, opens the source countEvents() reads (kvm-events.ts: debugfs, else a perf
   * recording that runs until the VM ends), at launch so a recording covers the first step.
   */
  async openEventSource(wanted?: EventSourceChoice): Promise<void> {
    if (this.accel !== 'kvm' || this.vmmPid === undefined || this.kvmEvents) return;
    this.kvmEvents = await openKvmEvents(this.host, this.vmmPid, this.tempDir, wanted);
  }

  /** @internal Called once by startQemu(). */
  async connect(socketPath: string, accel: QemuAccel, timeoutMs: number): Promise<void> {
    const qmp = await connectQmpWhenReady(
      { label: socketPath, open: () => this.host.connectUnix(socketPath) },
      { timeoutMs, exited: this.life.processExit, describeExit: () => this.life.describeExit() },
    );
    this.qmp = qmp;
    // QEMU wrote its pid file before it opened the QMP socket.
    if (this.vmmPid === undefined) this.vmmPid = await this.readVmmPid();
    qmp.onEvent((event) => {
      const cause = guestStopCause(event);
      if (cause !== undefined) void this.onGuestStopped(cause);
      else if (event.event === 'STOP') void this.onVmPaused(qmp);
    });
    let found: Awaited<ReturnType<typeof confirmAccel>>;
    try {
      found = await confirmAccel(qmp);
    } catch (error) {
      await settlesWithin(this.life.processExit, START_EXIT_GRACE_MS);
      if (!this.life.processGone) throw error;
      throw new HvbError('vmm-exited', `QEMU exited while starting: ${this.life.describeExit()}`, { cause: error });
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

  /** The guest stopped itself; QEMU is paused (-no-shutdown): read usage, then quit. */
  private async onGuestStopped(cause: string): Promise<void> {
    if (!this.life.decide({ kind: 'shutdown', reason: describeGuestStop(cause), cause })) return;
    // QEMU stops the vCPUs in the same main-loop turn that sent the event; a command's
    // answer comes after that, so once it is here the CPU time no longer moves.
    await this.qmp?.execute('query-status', undefined, { timeoutMs: this.quitTimeoutMs }).catch(() => {});
    await this.life.freezeUsage();
    await this.life.end({
      request: () => this.qmp?.execute('quit', undefined, { timeoutMs: this.quitTimeoutMs }).catch(() => {}) ?? Promise.resolve(),
      timeoutMs: this.quitTimeoutMs,
      late: `QEMU did not exit within ${this.quitTimeoutMs} ms of quit; killed`,
      force: () => this.life.end(this.killing()),
    });
  }

  /** A STOP without a guest shutdown: find out whether QEMU stopped the guest for good. */
  private async onVmPaused(qmp: QmpClient): Promise<void> {
    const status = await qmp.execute<{ status?: string }>('query-status').catch(() => undefined);
    const cause = stoppedStatusCause(status?.status);
    if (cause !== undefined) await this.onGuestStopped(cause);
  }

  /**
   * SIGKILL to QEMU's process group on its host. The local process must then end; if it
   * does not (for a remote QEMU: the kill did not get through, or QEMU's pid was never
   * known), it is killed too, and the remote watchdog ends the group when its channel closes.
   */
  private killing(): VmmEnding {
    const carrier = this.host.kind === 'local' ? 'QEMU' : 'the ssh carrying QEMU';
    return {
      request: () => this.signalVmm(),
      timeoutMs: KILL_EXIT_TIMEOUT_MS,
      late: `${carrier} did not end within ${KILL_EXIT_TIMEOUT_MS} ms of the kill; killed it`,
    };
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
      this.life.log.append(`hvbench: could not kill QEMU: ${error instanceof Error ? error.message : String(error)}\n`);
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
}
