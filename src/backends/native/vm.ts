import { posix } from 'node:path';
import type { Writable } from 'node:stream';
import { writeGoLine } from '../common/barrier-input.ts';
import type { Host } from '../../hosts/host.ts';
import type { VmmUsage } from '../common/backend.ts';
import { LifecycleVm } from '../common/lifecycle-vm.ts';
import { killGroupAndWait, killProcessGroup } from '../../util/proc-group.ts';
import { VmLifecycle } from '../common/vm-lifecycle.ts';
import type { StartedProcess } from '../common/vmm-spawn.ts';
import { parseNativeUsage } from './argv.ts';
import { REMOTE_PID_FILE } from './remote-argv.ts';
import { remoteGroupUsage } from './remote-usage.ts';
import { treeUsage } from './tree-usage.ts';

/** How long the end of a run waits for the last processes of its group to exit. */
const GROUP_GONE_TIMEOUT_MS = 10_000;
/** kill() reads the tree's usage first (a scan of /proc), but does not wait longer than this for it. */
const USAGE_READ_TIMEOUT_MS = 2_000;
/** After SIGKILL to the group, its leader must exit within this, or it is killed on its own. */
const KILL_EXIT_TIMEOUT_MS = 5_000;

/**
 * A native run: the agent as PID 1 of its own namespaces, chrooted into the image root.
 * The console is its stdout; "power off" is the agent exiting, which ends the namespace.
 * usage() is the CPU time of the whole process tree: while it runs, so far, from /proc;
 * once it has ended, busybox time's figure (exact: every process in it was waited for);
 * none after a kill.
 */
export class NativeVm extends LifecycleVm {
  readonly accel = 'native';
  readonly pid: number;
  protected readonly life: VmLifecycle;

  constructor(
    private readonly host: Host,
    child: StartedProcess,
    private readonly tempDir: string,
    notes: string[],
    /** The pipe a job with a start barrier reads its `go` line from (fd 3 of the run); absent: no barrier. */
    private readonly barrierInput?: Writable,
  ) {
    super();
    const pid = child.pid;
    this.pid = pid;
    const local = host.kind === 'local';
    this.life = new VmLifecycle(
      this,
      {
        name: 'the native run',
        // On another host the run leads its own process group there (the ssh watchdog's), whose pid the wrapper wrote.
        readUsage: () => (local ? treeUsage(pid) : this.remotePid().then((g) => (g === undefined ? undefined : remoteGroupUsage(host, g)))),
        killing: () => ({
          request: async () => (local ? killProcessGroup(pid) : this.killRemote()),
          timeoutMs: KILL_EXIT_TIMEOUT_MS,
          late: `the native run did not exit within ${KILL_EXIT_TIMEOUT_MS} ms of SIGKILL to its group; killed it`,
        }),
        afterExit: async () => {
          // Another host's group ends with its ssh channel (the watchdog kills it).
          if (!local) return;
          // The leader (busybox time) is reaped; the rest of the group — unshare, the agent as
          // PID 1 of its namespace, whatever it ran — may still be dying: the run has ended
          // when none of them is left (see killGroupAndWait).
          const left = await killGroupAndWait(pid, { timeoutMs: GROUP_GONE_TIMEOUT_MS });
          if (left.length > 0)
            this.life.log.append(
              `hvbench: ${left.length} process(es) of the run still there ${GROUP_GONE_TIMEOUT_MS / 1000} s after SIGKILL: ${left.map((m) => `${m.pid} ${m.comm} (${m.state})`).join(', ')}\n`,
            );
        },
        cleanUp: async () => this.life.settleUsage(await this.readFinalUsage()),
        // The agent ends a native run by exiting 0, where a guest would power off.
        exitOutcome: (exit) =>
          exit.exitCode === 0
            ? { kind: 'shutdown', reason: 'the agent exited (a native run has no machine to power off)', cause: 'agent-exit' }
            : { kind: 'exited', exitCode: exit.exitCode, signal: exit.signal },
      },
      { host, process: child, tempDir, usageReadTimeoutMs: USAGE_READ_TIMEOUT_MS, ...(local ? {} : { remoteKill: () => this.killRemote() }) },
    );
    for (const note of notes) this.life.log.append(`hvbench: ${note}\n`);
    this.child = child;
  }

  private readonly child: StartedProcess;
  private groupPid: number | undefined;

  /** The run's process group on another host, from the pid file its wrapper wrote (remote-argv.ts). */
  private async remotePid(): Promise<number | undefined> {
    if (this.groupPid !== undefined) return this.groupPid;
    const text = await this.host.readFile(posix.join(this.tempDir, REMOTE_PID_FILE)).catch(() => '');
    const pid = Number(text.trim());
    if (Number.isInteger(pid) && pid > 1) this.groupPid = pid;
    return this.groupPid;
  }

  /** SIGKILL to the run's group on its host; without its pid, to the local ssh (whose end makes the watchdog kill the group). Never throws. */
  private async killRemote(): Promise<void> {
    const group = await this.remotePid();
    if (group === undefined || !(await this.host.signalGroup(group, 'SIGKILL').catch(() => false))) this.child.kill('SIGKILL');
  }

  /** Releases the run's start barrier through its fd 3 pipe (native.ts spawnRun). */
  async release(token: string): Promise<void> {
    await writeGoLine(this.barrierInput, token, "the native run's barrier pipe (its job has no barrier line)");
  }

  /** busybox time's figure, written when the run ended by itself; none after a kill. */
  private async readFinalUsage(): Promise<VmmUsage | undefined> {
    if (this.life.outcome?.kind === 'killed') return undefined;
    const text = await this.host.readFile(posix.join(this.tempDir, 'usage')).catch(() => '');
    const usage = parseNativeUsage(text);
    if (!usage) {
      if (text.trim() !== '') this.life.log.append(`hvbench: could not read the run's CPU time from busybox time: ${JSON.stringify(text.slice(0, 200))}\n`);
      return undefined;
    }
    return { pid: this.pid, cpuUserS: usage.cpuUserS, cpuSystemS: usage.cpuSystemS, peakRssKiB: usage.peakRssKiB };
  }
}
