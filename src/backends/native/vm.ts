import { posix } from 'node:path';
import type { ResultPromise } from 'execa';
import type { Host } from '../../hosts/host.ts';
import type { RunningVm, VmExit, VmmUsage } from '../common/backend.ts';
import { trackVm } from '../common/live-vms.ts';
import { parseNativeUsage } from './argv.ts';
import { treeUsage } from './tree-usage.ts';
import { killGroupAndWait, killProcessGroup } from '../common/process-group.ts';
import { settlesWithin } from '../common/settles-within.ts';
import { CappedLog, ConsoleStream, streamDone } from '../common/vmm-output.ts';

const DRAIN_TIMEOUT_MS = 2_000;
/** How long the end of a run waits for the last processes of its group to exit. */
const GROUP_GONE_TIMEOUT_MS = 10_000;

/**
 * A native run: the agent as PID 1 of its own namespaces, chrooted into the image root.
 * The console is its stdout; "power off" is the agent exiting, which ends the namespace.
 * usage() is the CPU time of the whole process tree (see usage()).
 */
export class NativeVm implements RunningVm {
  readonly accel = 'native';
  private readonly console = new ConsoleStream();
  private readonly log = new CappedLog();
  private outcome: VmExit | undefined;
  private readonly finished: Promise<VmExit>;
  private processGone = false;
  private finalUsage: VmmUsage | undefined;
  private ended = false;
  private killing: Promise<void> | undefined;

  constructor(
    private readonly host: Host,
    child: ResultPromise,
    readonly pid: number,
    private readonly tempDir: string,
    notes: string[],
  ) {
    for (const note of notes) this.log.append(`hvbench: ${note}\n`);
    const stdoutDone = streamDone(child.stdout, () => this.console.end());
    const stderrDone = streamDone(child.stderr);
    child.stdout?.on('data', (bytes: Buffer) => this.console.push(bytes));
    child.stderr?.on('data', (bytes: Buffer) => this.log.push(bytes));
    const untrack = trackVm(this, pid);
    this.finished = child
      .then(
        (result) => this.onExit(result.exitCode ?? null, result.signal ?? null),
        (error: unknown) => {
          this.log.append(`hvbench: lost track of the native run: ${error instanceof Error ? error.message : String(error)}\n`);
          this.onExit(null, null);
        },
      )
      .then(async () => {
        // The leader (busybox time) is reaped; the rest of the group — unshare, the agent as
        // PID 1 of its namespace, whatever it ran — may still be dying: the run has ended
        // when none of them is left (see killGroupAndWait).
        const left = await killGroupAndWait(pid, { timeoutMs: GROUP_GONE_TIMEOUT_MS });
        if (left.length > 0) this.log.append(`hvbench: ${left.length} process(es) of the run still there ${GROUP_GONE_TIMEOUT_MS / 1000} s after SIGKILL: ${left.map((m) => `${m.pid} ${m.comm} (${m.state})`).join(', ')}\n`);
        await Promise.all([settlesWithin(stdoutDone, DRAIN_TIMEOUT_MS), settlesWithin(stderrDone, DRAIN_TIMEOUT_MS)]);
        this.finalUsage = await this.readUsage();
        this.ended = true;
        untrack();
        await this.host.removeTree(this.tempDir).catch(() => {});
        return this.outcome!;
      });
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
      if (!this.processGone) killProcessGroup(this.pid);
      await this.finished;
    })();
    return this.killing;
  }

  /**
   * While running: the process tree's CPU time so far, from /proc. Once ended: busybox
   * time's figure for the whole tree (exact: every process in it was waited for);
   * undefined after a kill.
   */
  async usage(): Promise<VmmUsage | undefined> {
    if (this.ended) return this.finalUsage;
    const live = await treeUsage(this.pid);
    return this.ended ? this.finalUsage : live;
  }

  vmmLog(): string {
    return this.log.text();
  }

  private onExit(exitCode: number | null, signal: string | null): void {
    this.processGone = true;
    // The agent ends a native run by exiting 0, where a guest would power off.
    this.outcome ??= exitCode === 0 ? { kind: 'shutdown', reason: 'the agent exited (a native run has no machine to power off)', cause: 'agent-exit' } : { kind: 'exited', exitCode, signal };
  }

  private async readUsage(): Promise<VmmUsage | undefined> {
    if (this.outcome?.kind === 'killed') return undefined;
    const text = await this.host.readFile(posix.join(this.tempDir, 'usage')).catch(() => '');
    const usage = parseNativeUsage(text);
    if (!usage) {
      if (text.trim() !== '') this.log.append(`hvbench: could not read the run's CPU time from busybox time: ${JSON.stringify(text.slice(0, 200))}\n`);
      return undefined;
    }
    return { pid: this.pid, cpuUserS: usage.cpuUserS, cpuSystemS: usage.cpuSystemS, peakRssKiB: usage.peakRssKiB };
  }
}
