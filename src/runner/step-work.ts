import { sampleValueProblem } from '../results/value-range.ts';
import type { MetricDef, MetricValue, StepWork, Workload } from '../workloads/workload.ts';
import { eventMetricDefs } from './event-windows.ts';

/** `events.<step>.<counter>_per_s`: a counted rate (work_per_s is not one). */
const RATE = /^events\.([a-z0-9_-]+)\.([a-z0-9_]+)_per_s$/;
const WORK = /^events\.([a-z0-9_-]+)\.work_per_s$/;
const PER_OP = /^events\.([a-z0-9_-]+)\.([a-z0-9_]+)_per_op$/;
/** The counter name that holds a step's throughput; no VMM names a counter so. */
export const WORK_COUNTER = 'work';
/** Unit of a step's operations per second when its metric is a mean time per operation. */
const OPS_FROM_MEAN_UNIT = 'ops/s';

/** A step's operations per second from its throughput metric's value. */
function workPerS(w: StepWork, value: number): number {
  return w.ops === 'mean-us' ? 1e6 / value : value;
}

/**
 * Beside a counted step's event rates, the step's throughput in the same repetition
 * (`events.<step>.work_per_s`) and, where that throughput counts operations, each counter per
 * operation (`events.<step>.<counter>_per_op` = rate ÷ operations per second): the exits of an
 * I/O, not of a second, which a faster backend would otherwise show more of. Steps without
 * counts, or whose throughput is missing or zero, get nothing. A quotient too small for a
 * sample (results/value-range.ts) is left out rather than failing the repetition.
 */
export function stepWorkValues(values: readonly MetricValue[], work: readonly StepWork[]): MetricValue[] {
  const byMetric = new Map(values.map((v) => [v.metric, v.value]));
  const out: MetricValue[] = [];
  for (const w of work) {
    const rates = values.flatMap((v) => {
      const m = RATE.exec(v.metric);
      return m && m[1] === w.step && m[2] !== WORK_COUNTER ? [{ counter: m[2] as string, value: v.value }] : [];
    });
    const throughput = byMetric.get(w.metric);
    if (rates.length === 0 || throughput === undefined || !(throughput > 0)) continue;
    const perS = workPerS(w, throughput);
    out.push({ metric: `events.${w.step}.${WORK_COUNTER}_per_s`, value: perS });
    if (w.ops === undefined) continue;
    for (const r of rates) {
      const value = r.value / perS;
      if (sampleValueProblem(value, 'events') === undefined) out.push({ metric: `events.${w.step}.${r.counter}_per_op`, value });
    }
  }
  return out;
}

/**
 * Declarations of the counted metrics among `values`: the event rates, each step's
 * throughput (in the unit of the workload's metric, or operations per second for a mean time
 * per operation; higher is better) and the counts per operation (lower is better).
 */
export function countedMetricDefs(values: readonly MetricValue[], workload: Pick<Workload, 'metrics' | 'stepWork'>, params: unknown): MetricDef[] {
  const work = workload.stepWork?.(params) ?? [];
  const units = new Map(workload.metrics.map((d) => [d.name, d.unit]));
  const defs = eventMetricDefs(values);
  for (const v of values) {
    const w = WORK.exec(v.metric);
    if (w) {
      const decl = work.find((x) => x.step === w[1]);
      const unit = decl === undefined ? undefined : decl.ops === 'mean-us' ? OPS_FROM_MEAN_UNIT : units.get(decl.metric);
      if (decl === undefined || unit === undefined) continue;
      defs.push({ name: v.metric, unit, better: 'higher', description: `the work of step ${w[1]} per second (${decl.metric}), beside its event counts` });
      continue;
    }
    const p = PER_OP.exec(v.metric);
    if (p) defs.push({ name: v.metric, unit: 'events/op', better: 'lower', description: `${p[2]} per operation of step ${p[1]}, counted on the VMM's host` });
  }
  return defs;
}
