import { HvbError } from '../util/errors.ts';
import { COUNTER_COSTS, priceText, type MicroOp, type Price } from './explained-costs.ts';
import { quantileSorted } from './moments.ts';
import { mulberry32 } from './prng.ts';

/**
 * The explained-overhead model (docs/overhead.md): a backend's gap to native on a step,
 * set against the time its counted events would take at their unit costs.
 *
 *   gap        = 1 − work_b / work_n   (the share of b's step time native would not need)
 *   explained  = Σ_e rate_e(b) × cost_e(b) × 10⁻⁹   (seconds of event handling per second of step)
 *   cost_e(b)  = max(0, price_b − price_n) for the micro figures that price e (COUNTER_COSTS):
 *                one figure, or where b lacks it a fallback (devport − syscall); price_b alone
 *                where native lacks a figure of the price
 *   share      = explained / gap;  unexplained = gap − explained (negative: over-explained)
 *
 * Every input is a list of repetitions; the share's interval is a percentile bootstrap that
 * resamples each list independently (seeded, reproducible). Without native's throughput
 * (a lab without native) there is no gap: the events' time is given as a share of b's step
 * time alone, with its interval.
 */

export interface ExplainInput {
  /** b's step throughput per repetition (`events.<step>.work_per_s`). */
  workB: readonly number[];
  /** native's throughput on the same step and configuration; empty when native did not run it (no gap then). */
  workN: readonly number[];
  /** Event rates of b per repetition (events/s of step time), by counter (`other_exits` derived already). */
  rates: Readonly<Record<string, readonly number[]>>;
  /** b's micro figures (ns), by operation. */
  microB: Readonly<Partial<Record<MicroOp, readonly number[]>>>;
  /** native's micro figures (ns), by operation, where it has them. */
  microN: Readonly<Partial<Record<MicroOp, readonly number[]>>>;
}

export interface ExplainedTerm {
  counter: string;
  label: string;
  /** Mean rate, events per second of b's step. */
  ratePerS: number;
  /** The unit cost used (ns), undefined for an event listed but not counted (halts) or not priced. */
  costNs: number | undefined;
  /** The micro figures it is priced with (`micro.ioport_ns`), undefined when it is not. */
  price: string | undefined;
  /** Seconds of handling per second of step: a share of b's step time. 0 when not counted. */
  explained: number;
  note: string;
}

export interface ExplainedModel {
  /** 1 − work_b / work_n; ≤ 0 means b needs no more time than native; undefined without native. */
  gap: number | undefined;
  /** Σ explained over the counted terms, a share of b's step time. */
  explained: number;
  /** The interval of `explained` (of the events' time as a share of b's step time). */
  explainedCi: { lo: number; hi: number; level: number };
  /** explained / gap; undefined without a gap. */
  share: number | undefined;
  shareCi: { lo: number; hi: number; level: number } | undefined;
  /** gap − explained; negative when the model over-explains (it double counts overlapping costs); undefined without a gap. */
  unexplained: number | undefined;
  overExplained: boolean;
  /** Every event type with a row in the table that was counted, largest explained time first. */
  terms: ExplainedTerm[];
  resamples: number;
  seed: number;
}

export interface ExplainOptions {
  seed: number;
  /** Default 2000. */
  resamples?: number;
  /** Default 0.95. */
  level?: number;
}

export const EXPLAINED_RESAMPLES = 2000;

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

function resampledMean(xs: readonly number[], rng: () => number): number {
  const n = xs.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[(rng() * n) | 0]!;
  return s / n;
}

interface Term {
  counter: string;
  label: string;
  price: Price | undefined;
  /** Whether native has every figure of the price (then its price is subtracted). */
  nativePriced: boolean;
  note: string;
}

const has = (figures: ExplainInput['microB'], ops: readonly MicroOp[]) => ops.every((o) => (figures[o]?.length ?? 0) > 0);
const opsOf = (p: Price) => [...p.plus, ...p.minus];

/**
 * The counters of the table that the input has, each with the first price b has every figure
 * of. One b cannot price is listed unpriced, with the reason, rather than left out: its time
 * then lands in the unexplained rest.
 */
function termsOf(input: Pick<ExplainInput, 'rates' | 'microB' | 'microN'>): Term[] {
  return COUNTER_COSTS.filter((c) => (input.rates[c.counter]?.length ?? 0) > 0).map((c): Term => {
    const prices: Price[] = c.micro === undefined ? [] : [{ plus: [c.micro], minus: [] }, ...(c.fallback ?? [])];
    const price = prices.find((p) => has(input.microB, opsOf(p)));
    const note = price === undefined && c.micro !== undefined ? `not priced: no ${prices.map(priceText).join(', nor ')} on this backend` : c.note;
    return { counter: c.counter, label: c.label, price, nativePriced: price !== undefined && has(input.microN, opsOf(price)), note };
  });
}

/** A price's value from the means of one side (`microB`, `microN`). */
function priceOf(p: Price, side: string, m: (key: string) => number): number {
  return p.plus.reduce((s, o) => s + m(`${side}.${o}`), 0) - p.minus.reduce((s, o) => s + m(`${side}.${o}`), 0);
}

/** One evaluation of the model on the given means. */
function evaluate(
  terms: readonly Term[],
  m: (key: string) => number,
): { gap: number | undefined; explained: number; parts: { cost: number | undefined; explained: number }[] } {
  const workN = m('workN');
  const gap = Number.isNaN(workN) ? undefined : 1 - m('workB') / workN;
  const parts = terms.map((t) => {
    if (t.price === undefined) return { cost: undefined, explained: 0 };
    const cost = Math.max(0, priceOf(t.price, 'microB', m) - (t.nativePriced ? priceOf(t.price, 'microN', m) : 0));
    return { cost, explained: m(`rate.${t.counter}`) * cost * 1e-9 };
  });
  return { gap, explained: parts.reduce((s, p) => s + p.explained, 0), parts };
}

/** Whether the input has any counter the model can price: else the case is not modelled. */
export function hasPricedCounter(input: Pick<ExplainInput, 'rates' | 'microB'>): boolean {
  return termsOf({ microN: {}, ...input }).some((t) => t.price !== undefined);
}

/** The model on one step of one backend; throws when a throughput is missing or not positive. */
export function explainGap(input: ExplainInput, options: ExplainOptions): ExplainedModel {
  const need = (name: string, xs: readonly number[]) => {
    if (xs.length === 0 || !xs.every((x) => x > 0 && Number.isFinite(x)))
      throw new HvbError('stats-argument', `explained overhead: expected positive ${name} values, received [${xs.join(', ')}]`);
  };
  // Without native there is no gap, and b's throughput is not needed either.
  const withGap = input.workN.length > 0;
  if (withGap) {
    need('work_b', input.workB);
    need('work_n', input.workN);
  }
  const terms = termsOf(input);
  const lists = new Map<string, readonly number[]>(
    withGap
      ? [
          ['workB', input.workB],
          ['workN', input.workN],
        ]
      : [],
  );
  for (const t of terms) {
    lists.set(`rate.${t.counter}`, input.rates[t.counter]!);
    if (t.price === undefined) continue;
    for (const o of opsOf(t.price)) {
      lists.set(`microB.${o}`, input.microB[o]!);
      if (t.nativePriced) lists.set(`microN.${o}`, input.microN[o]!);
    }
  }
  const means = new Map([...lists].map(([k, xs]) => [k, mean(xs)]));
  const point = evaluate(terms, (k) => means.get(k) ?? Number.NaN);
  const resamples = options.resamples ?? EXPLAINED_RESAMPLES;
  const level = options.level ?? 0.95;
  const rng = mulberry32(options.seed);
  const keys = [...lists.keys()];
  const shares: number[] = [];
  const times: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const drawn = new Map(keys.map((k) => [k, resampledMean(lists.get(k)!, rng)]));
    const e = evaluate(terms, (k) => drawn.get(k) ?? Number.NaN);
    times.push(e.explained);
    // A resample without a gap has everything explained and more: an unbounded share.
    if (e.gap !== undefined) shares.push(e.gap > 0 ? e.explained / e.gap : Number.POSITIVE_INFINITY);
  }
  const interval = (xs: number[]) => {
    xs.sort((a, b) => a - b);
    return { lo: quantileSorted(xs, (1 - level) / 2), hi: quantileSorted(xs, (1 + level) / 2), level };
  };
  const hasGap = point.gap !== undefined && point.gap > 0;
  const shareCi = hasGap ? interval(shares) : undefined;
  const explainedCi = interval(times);
  const out: ExplainedTerm[] = terms.map((t, i) => ({
    counter: t.counter,
    label: t.label,
    ratePerS: means.get(`rate.${t.counter}`)!,
    costNs: point.parts[i]!.cost,
    price: t.price === undefined ? undefined : priceText(t.price),
    explained: point.parts[i]!.explained,
    note: t.note,
  }));
  out.sort((a, b) => b.explained - a.explained);
  const unexplained = point.gap === undefined ? undefined : point.gap - point.explained;
  return {
    gap: point.gap,
    explained: point.explained,
    explainedCi,
    share: hasGap ? point.explained / point.gap! : undefined,
    shareCi,
    unexplained,
    overExplained: hasGap && unexplained! < 0,
    terms: out,
    resamples,
    seed: options.seed,
  };
}

/** The event types that explain the most time, at most `k`, counted ones only. */
export function topTerms(model: ExplainedModel, k = 3): ExplainedTerm[] {
  return model.terms.filter((t) => t.explained > 0).slice(0, k);
}
