import type { EventCounts, RunningVm } from '../backends/common/backend.ts';
import type { Frame } from '../guest/protocol/frames.ts';
import { describeError } from '../util/errors.ts';
import type { MetricDef, MetricValue } from '../workloads/workload.ts';

/** Metric names of event rates: `events.<step>.<counter>_per_s`. */
export const EVENT_METRIC_PREFIX = 'events.';
/** The source of a native run's counts from before context switches: the agent's own page faults, in its frames. */
export const PROC_FAULTS_SOURCE = 'proc-faults';
/** The source of a native run's counts: page faults and context switches of the agent and its steps, in its frames. */
export const PROC_RUSAGE_SOURCE = 'proc-rusage';
const EVENT_METRIC = /^events\.([a-z0-9_-]+)\.([a-z0-9_]+)_per_s$/;

interface Reading {
  /**
   * Host clock (ms) of the counts: the moment the reading gives for itself (a perf segment's
   * closing), else when the read returned, which a read queued behind others over SSH reaches
   * much later than it was asked for (and its counts with it); for a failed read, when asked.
   */
  at: number;
  counts?: EventCounts;
  error?: string;
}

/** What counting gave one repetition. */
export interface EventWindowResult {
  values: MetricValue[];
  /** The counters' source (`event_source`), when any step was counted. */
  source?: string;
  /** Why nothing was counted, when nothing was. */
  problem?: string;
}

/**
 * Counts a VM's events around each step of its job: the agent's `begin` and `ran` frames
 * bracket the step's command alone (not the boot, not its output's trip over the console),
 * and at each the VM's counters are read on its host. A step's rate is the counters' change
 * over the host time between the two reads. The reads trail the frames by the frame's trip
 * and the read itself (milliseconds; over ssh tens of them): small against steps of seconds.
 */
export class EventWindows {
  private readonly before = new Map<string, Promise<Reading>>();
  private readonly after = new Map<string, Promise<Reading>>();

  /**
   * `steps`: the only steps to count (a workload's measured steps, those with a throughput);
   * all when absent. Over SSH the reads go one at a time, and the set-up steps around a
   * measured one (a NIC's address, a wait for the peer: milliseconds each) would queue theirs
   * in front of its own, which then fell seconds into it.
   */
  constructor(
    private readonly vm: Pick<RunningVm, 'countEvents'>,
    private readonly now: () => number = Date.now,
    private readonly steps?: ReadonlySet<string>,
  ) {}

  /** Feed every trusted frame of the session. */
  onFrame(frame: Frame): void {
    if (frame.kind !== 'begin' && frame.kind !== 'ran') return;
    if (this.steps !== undefined && !this.steps.has(frame.step)) return;
    const into = frame.kind === 'begin' ? this.before : this.after;
    if (into.has(frame.step)) return;
    // A native agent counted its own faults and switches at the very edge of the step: nothing to read here.
    const own = frame.faults && { at: this.now(), counts: nativeCounts(frame.faults, frame.switches) };
    into.set(frame.step, own ? Promise.resolve(own) : this.read());
  }

  private read(): Promise<Reading> {
    const at = this.now();
    const count = this.vm.countEvents;
    if (count === undefined) return Promise.resolve({ at, error: 'the backend cannot count events' });
    return count.call(this.vm).then(
      (counts) => ({ at: counts.at ?? this.now(), counts }),
      (e: unknown) => ({ at, error: describeError(e) }),
    );
  }

  /** Resolves once every read asked for so far has returned (reads never reject). */
  async settled(): Promise<void> {
    await Promise.all([...this.before.values(), ...this.after.values()]);
  }

  /** The rates of every step that both began and ran, once the VM has stopped. */
  async result(): Promise<EventWindowResult> {
    const values: MetricValue[] = [];
    const problems: string[] = [];
    let source: string | undefined;
    for (const [step, pending] of this.after) {
      const start = await this.before.get(step);
      const end = await pending;
      if (start === undefined) continue;
      const failed = start.error ?? end.error;
      if (failed !== undefined || !start.counts || !end.counts) {
        problems.push(`step ${step}: ${failed ?? 'no counters'}`);
        continue;
      }
      const seconds = (end.at - start.at) / 1000;
      if (seconds <= 0) continue;
      source = end.counts.source;
      for (const [name, value] of Object.entries(end.counts.counts)) {
        const was = start.counts.counts[name];
        if (was === undefined || value < was || !/^[a-z0-9_]+$/.test(name)) continue;
        values.push({ metric: `${EVENT_METRIC_PREFIX}${step}.${name}_per_s`, value: (value - was) / seconds });
      }
    }
    if (values.length > 0) return { values, ...(source ? { source } : {}) };
    return problems.length > 0 ? { values, problem: problems.join('; ') } : { values };
  }
}

/** Declarations of the event rates among `values` (their names are made per step and counter); see step-work.ts for the rest. */
export function eventMetricDefs(values: readonly MetricValue[]): MetricDef[] {
  const defs: MetricDef[] = [];
  for (const v of values) {
    const m = EVENT_METRIC.exec(v.metric);
    // A step's throughput (step-work.ts) is named like a rate but is not a count.
    if (!m || m[2] === 'work') continue;
    defs.push({ name: v.metric, unit: 'events/s', better: 'lower', description: `${m[2]} per second of step ${m[1]}, counted on the VMM's host` });
  }
  return defs;
}

function nativeCounts(faults: { minor: number; major: number }, switches: { voluntary: number; involuntary: number } | undefined): EventCounts {
  const counts = { minor_faults: faults.minor, major_faults: faults.major };
  if (switches === undefined) return { source: PROC_FAULTS_SOURCE, counts };
  return {
    source: PROC_RUSAGE_SOURCE,
    counts: {
      ...counts,
      voluntary_switches: switches.voluntary,
      involuntary_switches: switches.involuntary,
      context_switches: switches.voluntary + switches.involuntary,
    },
  };
}
