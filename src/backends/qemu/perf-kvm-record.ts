import { posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Host, HostProcess } from '../../hosts/host.ts';
import { HvbError } from '../../util/errors.ts';
import type { EventCounts } from '../common/backend.ts';
import { dumpedFiles, PERF_KVM_COUNTERS, PERF_KVM_STAT_SOURCE, parsePerfKvmReport, perfKvmCounts } from './perf-kvm-stat.ts';

/** perf must be recording (its output file made) within this of its start. */
const START_TIMEOUT_MS = 30_000;
/** After SIGUSR2, perf must have written its segment within this (once more than 30 s on a 2-core machine busy with a nested lab). */
const DUMP_TIMEOUT_MS = 90_000;
/**
 * perf checks its SIGUSR2 flag at the top of its loop and then polls without a timeout: a
 * signal that lands between the two waits for the next traced event to wake the poll. A VM
 * makes events all the time; a quiet one (or a test's process that runs no VM) may make none,
 * and the segment never came (seen twice on the fresh-clone check, once past 30 s, once past
 * 90 s). So a segment not dumped after this long gets SIGUSR2 again: perf ignores a second
 * signal while the first is pending, but the signal wakes its poll. When perf had already
 * taken the first (a segment slower to write than this), the second makes one segment more;
 * the next reading sums it with its own (closeSegment).
 */
const NUDGE_AFTER_MS = 10_000;
const REPORT_TIMEOUT_MS = 60_000;
const POLL_MS = 200;

/**
 * A VM's exits counted by `perf kvm stat record` on QEMU's host, for hosts where KVM's
 * debugfs is missing (or when asked for). One recording runs from launch to the VM's end
 * with `--switch-output`: each reading sends it SIGUSR2, which closes the segment recorded
 * since the previous reading into a file of its own (no event lost or counted twice between
 * segments); `perf kvm stat report` summarises that file, and the reading returns the sums
 * over every segment so far, monotonic like debugfs's counters.
 */
export class PerfKvmRecorder {
  private summed: Promise<Record<string, number>> = Promise.resolve(Object.fromEntries(PERF_KVM_COUNTERS.map((c) => [c, 0])));
  private closing: Promise<unknown> = Promise.resolve();
  private stderr = '';
  private dumpsSeen = 0;
  private ended = false;

  private constructor(
    private readonly host: Host,
    private readonly proc: HostProcess,
    private readonly perfPid: number,
    private readonly nudgeAfterMs: number,
  ) {
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    void proc.exited.then(() => {
      this.ended = true;
    });
  }

  /**
   * Starts recording the exits of QEMU `vmmPid` into `dir` on `host` and waits until perf
   * records. `sh` prints its pid and becomes perf (exec), so the pid a SIGUSR2 goes to is
   * perf's on that host; no user value is in the script.
   */
  static async start(host: Host, vmmPid: number, dir: string, options: { nudgeAfterMs?: number } = {}): Promise<PerfKvmRecorder> {
    const output = posix.join(dir, 'perf.data');
    const argv = ['sh', '-c', 'echo $$; exec "$@"', 'sh', 'perf', 'kvm', 'stat', 'record', '-p', String(vmmPid), '-o', output, '--switch-output'];
    const proc = host.spawn(argv, { detached: true });
    let said = '';
    proc.stdout.setEncoding('utf8');
    const pid = await new Promise<number | undefined>((resolve) => {
      proc.stdout.on('data', (chunk: string) => {
        said += chunk;
        if (said.includes('\n')) resolve(Number(said.split('\n')[0]));
      });
      void proc.exited.then(() => resolve(undefined));
    });
    const recorder = pid && Number.isInteger(pid) ? new PerfKvmRecorder(host, proc, pid, options.nudgeAfterMs ?? NUDGE_AFTER_MS) : undefined;
    if (recorder === undefined) {
      proc.kill('SIGKILL');
      throw new HvbError('perf-kvm-stat', `perf kvm stat record did not start on ${host.name}`);
    }
    // perf handles SIGUSR2 once it has made its output file (before that the signal would end it).
    const deadline = Date.now() + START_TIMEOUT_MS;
    while ((await host.exec(['test', '-e', output], { timeoutMs: 10_000 })).exitCode !== 0) {
      if (recorder.ended || Date.now() > deadline) {
        await recorder.stop();
        throw new HvbError('perf-kvm-stat', `perf kvm stat record on ${host.name} ${recorder.ended ? 'ended' : 'made no output'}: ${recorder.said()}`, {
          hint: "perf needs root and the kernel's kvm tracepoints (tracefs), on the host QEMU runs on",
        });
      }
      await sleep(POLL_MS);
    }
    return recorder;
  }

  /**
   * The counts of every segment so far, after closing the current one. Closing is quick (a
   * signal, and perf's line that it wrote the segment) and taken one at a time, right when
   * asked, so each boundary falls next to the frame that asked for it; the reports, which take
   * seconds in a nested lab, follow in order behind. The reading's `at` is when the signal went.
   */
  read(): Promise<EventCounts> {
    const closed = this.closing.then(() => this.closeSegment());
    this.closing = closed.catch(() => {});
    // A segment that cannot be summarised fails this reading and every later one: their sums would miss it.
    const summed = Promise.all([this.summed, closed]).then(async ([before, segment]) => {
      const counts = { ...before };
      for (const file of segment.files) for (const [name, value] of Object.entries(await this.summarise(file))) counts[name] = (counts[name] ?? 0) + value;
      return counts;
    });
    this.summed = summed;
    return Promise.all([summed, closed]).then(([counts, segment]) => ({ source: PERF_KVM_STAT_SOURCE, counts, at: segment.at }));
  }

  /** Ends the recording (on the VM's end); its files go with the VM's folder. */
  async stop(): Promise<void> {
    if (!this.ended) this.proc.kill('SIGKILL');
    await this.proc.exited;
  }

  /**
   * The segment files this reading sums: its own, and any that a nudge made after the last
   * reading took its own (a segment written slower than NUDGE_AFTER_MS gets a second SIGUSR2
   * that perf honours after it: an extra segment, whose events come before this signal).
   */
  private async closeSegment(): Promise<{ files: string[]; at: number }> {
    if (this.ended) throw new HvbError('perf-kvm-stat', `perf kvm stat record has ended: ${this.said()}`);
    const dumpedBefore = dumpedFiles(this.stderr).length;
    const sent = Date.now();
    await this.askForSegment();
    // The signal went somewhere between the command's start and its end (over ssh, its trip out).
    const at = (sent + Date.now()) / 2;
    return { files: await this.dumpsAfter(dumpedBefore), at };
  }

  /** SIGUSR2 to perf on its host: write the segment recorded so far and start the next. */
  private async askForSegment(): Promise<void> {
    await this.host.exec(['kill', '-USR2', String(this.perfPid)], { timeoutMs: 10_000 });
  }

  private async summarise(file: string): Promise<Record<string, number>> {
    try {
      return perfKvmCounts(await this.report(file, 'vmexit'), await this.report(file, 'mmio'));
    } finally {
      await this.host.exec(['rm', '-f', file], { timeoutMs: 10_000 }).catch(() => {});
    }
  }

  /** Waits for a segment written after the first `dumpedBefore`; returns every one not taken yet. */
  private async dumpsAfter(dumpedBefore: number): Promise<string[]> {
    const deadline = Date.now() + DUMP_TIMEOUT_MS;
    let nudgeAt = Date.now() + this.nudgeAfterMs;
    for (;;) {
      const files = dumpedFiles(this.stderr);
      if (files.length > dumpedBefore) {
        const taken = files.slice(this.dumpsSeen);
        this.dumpsSeen = files.length;
        return taken;
      }
      if (this.ended || Date.now() > deadline) {
        throw new HvbError('perf-kvm-stat', `perf kvm stat record wrote no segment after SIGUSR2${this.ended ? ' (it ended)' : ''}: ${this.said()}`);
      }
      if (Date.now() > nudgeAt) {
        nudgeAt = Date.now() + this.nudgeAfterMs;
        await this.askForSegment().catch(() => {});
        continue;
      }
      await sleep(POLL_MS / 4);
    }
  }

  private async report(file: string, event: 'vmexit' | 'mmio') {
    const r = await this.host.exec(['perf', 'kvm', '-i', file, 'stat', 'report', `--event=${event}`], { timeoutMs: REPORT_TIMEOUT_MS });
    if (r.exitCode !== 0)
      throw new HvbError('perf-kvm-stat', `perf kvm stat report --event=${event} failed (${r.exitCode}): ${(r.stderr || r.stdout).trim().slice(0, 300)}`);
    // perf 6.1 prints the whole report on stderr.
    return parsePerfKvmReport(`${r.stdout}\n${r.stderr}`);
  }

  /** perf's last words, for errors. */
  private said(): string {
    return this.stderr.trim().split('\n').slice(-3).join(' / ') || 'nothing on stderr';
  }
}
