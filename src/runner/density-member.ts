import type { Dims, Sample } from '../results/sample.ts';
import type { Case } from '../suite/types.ts';
import type { MetricDef, MetricValue, Workload } from '../workloads/workload.ts';
import { densityAggregates, densityMetricDefs } from './density-metrics.ts';
import { runDensityRepetition } from './density.ts';
import { neighbourInput } from './density-neighbour.ts';
import { runRepetition, type RepOutcome, type RepetitionInput } from './repetition.ts';
import { toSamples } from './sample-dims.ts';
import { rejectOutOfRange } from './value-check.ts';

/**
 * What member.ts needs for a density case (Case.guests): each repetition boots the guests
 * together and is recorded as one outcome whose values are the aggregates (density-metrics.ts);
 * each guest's own values become samples of their own with `guest_index`. With a noisy
 * neighbour (Case.neighbour) guest 0 runs the load (density-neighbour.ts): only the others
 * are measured, aggregated and stored.
 */
export class DensityMember {
  /** The guests' outcomes of the last repetition, values checked (value-check.ts). */
  private last: RepOutcome[] = [];
  private readonly headline: MetricDef | undefined;

  constructor(
    readonly guests: number,
    private readonly workload: Workload,
    private readonly neighbour?: 'stress',
    private readonly runGuests = runDensityRepetition,
  ) {
    this.headline = workload.metrics[0];
  }

  /** The guests whose job is the workload: all of them, or all but the neighbour (guest 0). */
  private measured(): { g: RepOutcome; i: number }[] {
    return this.last.map((g, i) => ({ g, i })).filter(({ i }) => this.neighbour === undefined || i > 0);
  }

  /** The aggregate metrics' definitions, for toSamples. */
  defs(): MetricDef[] {
    return this.headline ? densityMetricDefs(this.headline) : [];
  }

  /** A repetition's cap: the guests boot on the same CPUs, so each takes longer; N times one guest's. */
  timeoutSec(oneGuest: number): number {
    return oneGuest * this.guests;
  }

  /** Runs one repetition of every guest; the outcome carries the aggregates as its values. */
  readonly run = async (input: RepetitionInput): Promise<RepOutcome> => {
    const load = this.neighbour ? await neighbourInput(input, this.workload.expectedSeconds(input.params)) : undefined;
    const out = await this.runGuests(input, this.guests, runRepetition, (i) => (i === 0 && load ? load : {}));
    this.last = out.guests.map(rejectOutOfRange);
    // A value no metric can have fails its guest (value-check.ts), and so the repetition.
    const failed = this.last.findIndex((g) => g.status !== 'completed');
    const combined =
      out.combined.status === 'completed' && failed >= 0
        ? { ...out.combined, status: this.last[failed]!.status, error: `guest ${failed}: ${this.last[failed]!.error ?? 'failed'}` }
        : out.combined;
    const values: MetricValue[] =
      this.headline && combined.status === 'completed'
        ? densityAggregates(
            this.headline,
            this.measured().map(({ g }) => g.values),
          )
        : [];
    return { ...combined, values };
  };

  /**
   * Each measured guest's samples of the last repetition, with `guest_index`; `defsOf` gives
   * the definitions of a guest's values, `dimsOf` its dimensions. A neighbour's are left out
   * (its log keeps what it did): its boot and host figures would pool with the measured guests'.
   */
  guestSamples(defsOf: (values: MetricValue[]) => MetricDef[], dimsOf: (g: RepOutcome) => Dims): Sample[] {
    return this.measured().flatMap(({ g, i }) => toSamples(g.values, defsOf(g.values), { ...dimsOf(g), guest_index: i }, g.startedAt));
  }

  /** The stopping rule's value of the last repetition: the measured guests' mean of `metric`, NaN when one lacks it. */
  stopValue(metric: string): number {
    const xs = this.measured().map(({ g }) => g.values.find((v) => v.metric === metric)?.value ?? Number.NaN);
    return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
  }
}

/** The density part of a case, or undefined for an ordinary one. */
export function densityOf(c: Case, workload: Workload): DensityMember | undefined {
  return c.guests === undefined ? undefined : new DensityMember(c.guests, workload, c.neighbour);
}
