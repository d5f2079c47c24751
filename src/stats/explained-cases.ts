import { dimDef, isDeviceDim, variantOf } from '../dims/catalogue.ts';
import type { Dims, Sample } from '../results/sample.ts';
import {
  counterCost,
  NOT_MODELLED_BY_SOURCE,
  NOT_MODELLED_NO_COST,
  NOT_MODELLED_REFERENCE,
  OTHER_EXITS,
  OTHER_EXITS_FROM,
  type MicroOp,
} from './explained-costs.ts';
import { explainGap, hasPricedCounter, type ExplainedModel } from './explained.ts';
import { deriveSeed } from './prng.ts';

/**
 * The explained-overhead model applied to runs' samples: one case per variant, workload
 * configuration and counted step, its native counterpart (the reference variant, same
 * workload configuration, no device of its own) and its variant's micro figures.
 */

const EVENT = /^events\.([a-z0-9_-]+)\.([a-z0-9_]+)_per_(s|op)$/;
const MICRO = /^micro\.(cpuid|syscall|pagefault|ioport|rdtsc|devport)_ns$/;
const WORK = 'work';

export interface EventCount {
  counter: string;
  /** Mean events per second of step. */
  perS: number;
  /** Mean events per operation, where the step's work counts operations. */
  perOp: number | undefined;
  /** Each repetition's value, per op when there is one, else per s (for intervals in compare). */
  values: number[];
}

export interface ExplainedCase {
  variant: string;
  workload: string;
  step: string;
  /** The configuration dimensions (parameters, device) of the case, its variant aside. */
  configuration: Dims;
  eventSource: string | undefined;
  /** Repetitions counted. */
  n: number;
  /** b's step throughput (mean) and its unit; the reference's on the same step when found. */
  work: { b: number; unit: string; reference: number | undefined } | undefined;
  counts: EventCount[];
  model: ExplainedModel | undefined;
  /** Why there is no model, when there is none. */
  notModelled: string | undefined;
  /** Why a model has no gap to the reference (its events' time is a share of the step time alone), when it has none. */
  noGap?: string;
}

interface Group {
  variant: string;
  dims: Dims;
  step: string;
  source: Set<string>;
  /** counter → kind (`s`/`op`) → rep key → value */
  values: Map<string, Map<'s' | 'op', Map<string, number>>>;
  workUnit: string | undefined;
}

function repKey(d: Dims): string {
  return `${String(d.run ?? '')}/${String(d.rep ?? '')}/${String(d.guest_index ?? '')}`;
}

function configurationOf(dims: Dims): Dims {
  const out: Dims = {};
  for (const k of Object.keys(dims).sort()) if (dimDef(k).role === 'configuration') out[k] = dims[k]!;
  return out;
}

/** A configuration with its device dimensions left out: the key native is found by (native has no device of its own). */
function deviceless(config: Dims): string {
  return JSON.stringify(Object.entries(config).filter(([k]) => !isDeviceDim(k)));
}

function groupEvents(samples: readonly Sample[]): Group[] {
  const groups = new Map<string, Group>();
  for (const s of samples) {
    const m = EVENT.exec(s.metric);
    if (!m) continue;
    const [, step, counter, kind] = m as unknown as [string, string, string, 's' | 'op'];
    const variant = variantOf(s.dims);
    const config = configurationOf(s.dims);
    const key = JSON.stringify([variant, step, Object.entries(config)]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { variant, dims: config, step, source: new Set(), values: new Map(), workUnit: undefined }));
    if (s.dims.event_source !== undefined) g.source.add(String(s.dims.event_source));
    if (counter === WORK) g.workUnit = s.unit;
    const byKind = g.values.get(counter) ?? g.values.set(counter, new Map()).get(counter)!;
    const byRep = byKind.get(kind) ?? byKind.set(kind, new Map()).get(kind)!;
    byRep.set(repKey(s.dims), s.value);
  }
  return [...groups.values()];
}

function list(g: Group, counter: string, kind: 's' | 'op'): number[] {
  return [...(g.values.get(counter)?.get(kind)?.values() ?? [])];
}

/** Per-repetition rates with `other_exits` derived where `exits` was counted (paired by repetition). */
function ratesOf(g: Group): Record<string, number[]> {
  const rates: Record<string, number[]> = {};
  for (const counter of g.values.keys()) if (counter !== WORK) rates[counter] = list(g, counter, 's');
  const total = g.values.get(OTHER_EXITS_FROM.total)?.get('s');
  if (total) {
    rates[OTHER_EXITS] = [...total].map(([rep, v]) =>
      Math.max(
        0,
        OTHER_EXITS_FROM.less.reduce((x, c) => x - (g.values.get(c)?.get('s')?.get(rep) ?? 0), v),
      ),
    );
  }
  return rates;
}

function microOf(samples: readonly Sample[], variant: string, vcpus: unknown): Partial<Record<MicroOp, number[]>> {
  const all = samples.filter((s) => MICRO.test(s.metric) && variantOf(s.dims) === variant);
  // The micro case of the same guest shape when there is one, else every micro case of the variant.
  const same = all.filter((s) => s.dims.vcpus === vcpus);
  const out: Partial<Record<MicroOp, number[]>> = {};
  for (const s of same.length > 0 ? same : all) {
    const op = MICRO.exec(s.metric)![1] as MicroOp;
    (out[op] ??= []).push(s.value);
  }
  return out;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export interface ExplainRunsOptions {
  /** The variant every other is set against (`native`); undefined when the runs have none (a lab): no gaps then. */
  reference: string | undefined;
  seed: number;
  resamples?: number;
}

/** Every counted step of every variant, modelled where it can be; the reference's own steps are listed as not modelled. */
export function explainRuns(samples: readonly Sample[], options: ExplainRunsOptions): ExplainedCase[] {
  const groups = groupEvents(samples);
  const references = new Map<string, Group>();
  for (const g of groups) if (g.variant === options.reference) references.set(JSON.stringify([g.step, deviceless(g.dims)]), g);
  return groups.map((g, i): ExplainedCase => {
    const counterpart = g.variant === options.reference ? undefined : references.get(JSON.stringify([g.step, deviceless(g.dims)]));
    const workB = list(g, WORK, 's');
    const workN = counterpart ? list(counterpart, WORK, 's') : [];
    const rates = ratesOf(g);
    const counts = [...g.values.keys()]
      .filter((c) => c !== WORK)
      .map((counter): EventCount => {
        const perS = list(g, counter, 's');
        const perOp = list(g, counter, 'op');
        return { counter, perS: mean(perS), perOp: perOp.length > 0 ? mean(perOp) : undefined, values: perOp.length > 0 ? perOp : perS };
      });
    const source = g.source.size === 1 ? [...g.source][0] : g.source.size > 1 ? [...g.source].join(', ') : undefined;
    const base = {
      variant: g.variant,
      workload: String(g.dims.workload ?? ''),
      step: g.step,
      configuration: g.dims,
      eventSource: source,
      n: Math.max(0, ...[...g.values.values()].map((k) => k.get('s')?.size ?? 0)),
      work: workB.length > 0 ? { b: mean(workB), unit: g.workUnit ?? '', reference: workN.length > 0 ? mean(workN) : undefined } : undefined,
      counts,
    };
    const microB = microOf(samples, g.variant, g.dims.vcpus);
    const why = reasonNotModelled(g, options.reference, workB, rates, microB, source);
    if (why !== undefined) return { ...base, model: undefined, notModelled: why };
    const microN = options.reference === undefined ? {} : microOf(samples, options.reference, g.dims.vcpus);
    const noGap = reasonNoGap(g, options.reference, counterpart, workN);
    const model = explainGap(
      { workB, workN: noGap === undefined ? workN : [], rates, microB, microN },
      { seed: deriveSeed(options.seed, i), ...(options.resamples ? { resamples: options.resamples } : {}) },
    );
    return { ...base, model, notModelled: undefined, ...(noGap === undefined ? {} : { noGap }) };
  });
}

function reasonNotModelled(
  g: Group,
  reference: string | undefined,
  workB: readonly number[],
  rates: Record<string, readonly number[]>,
  microB: Partial<Record<MicroOp, number[]>>,
  source: string | undefined,
): string | undefined {
  if (g.variant === reference) return NOT_MODELLED_REFERENCE;
  const priced = Object.keys(rates).some((c) => counterCost(c)?.micro !== undefined);
  if (!priced) return (source !== undefined ? NOT_MODELLED_BY_SOURCE[source] : undefined) ?? NOT_MODELLED_NO_COST;
  if (!hasPricedCounter({ rates, microB })) return `no micro case of ${g.variant} in the runs gives its unit costs`;
  if (workB.length === 0) return `its throughput was not recorded beside the counts (events.${g.step}.work_per_s)`;
  return undefined;
}

/** Why a modelled case has no gap to the reference: its events' time is then a share of its step time alone. */
function reasonNoGap(g: Group, reference: string | undefined, counterpart: Group | undefined, workN: readonly number[]): string | undefined {
  if (reference === undefined) return 'the runs have no reference (native) to set the step against';
  if (!counterpart) return `no ${reference} case of the same configuration counted step ${g.step}`;
  if (workN.length === 0) return `${reference}'s throughput on step ${g.step} was not recorded beside its counts`;
  return undefined;
}
