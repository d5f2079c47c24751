import { ioPathKnob, isDeviceDim, variantOf } from '../dims/catalogue.ts';
import { configurationLabels } from '../dims/labels.ts';
import type { Better, Dims, Sample } from '../results/sample.ts';
import { compareWithin, type CompareReportOptions, type CompareRow } from '../stats/compare-report.ts';
import { metricFamily, metricTitle } from './metric-names.ts';
import { sortVariants } from './palette.ts';

/**
 * The I/O path comparison: each knob of how the host serves a device (aio, cache, iothread,
 * queues, vhost: the dimensions the catalogue marks with `ioPathBase`) against its base value,
 * per backend. Every figure is the within-run comparison `hvbench compare --by <knob>
 * --reference <base>` makes (mean ÷ mean, its 95 % interval, the verdict read from the
 * interval), so the page, the tables and compare agree. Only the workload's own metrics
 * (disk.* for disk): they are all speeds or times, so a verdict reads as faster or slower.
 *
 * The reference (native) has no I/O path of its own: where it ran, its mean divided by the
 * backend's base path says how far that path is from the host, on the same ratio scale.
 */

/** The backend comparison's verdicts as words about speed; `similar`: within the noise band. */
export type IoPathVerdict = 'faster' | 'slower' | 'similar' | 'inconclusive' | 'not computable';

const MARKS: Readonly<Record<string, string>> = { faster: '▲', slower: '▼', similar: '≈', inconclusive: '?' };

/** `▲` faster, `▼` slower, `≈` similar, `?` inconclusive, `–` not computable: the marks of the figure and the tables. */
export function ioPathMark(verdict: string): string {
  return MARKS[verdict] ?? '–';
}

export interface IoPathKnob {
  /** The dimension: `param.aio`. */
  dim: string;
  /** What a reader sees: `aio`. */
  label: string;
  /** The value every other is measured against: `threads`. */
  base: string;
  /** The other values with figures, in order. */
  values: string[];
  /** The variants with at least one figure for this knob. */
  variants: string[];
}

export interface IoPathRow {
  knob: string;
  /** The knob's label: `aio`. */
  label: string;
  value: string;
  base: string;
  /** `aio io_uring vs threads`, and the configuration when the knob's rows need it. */
  change: string;
  variant: string;
  backend: string;
  workload: string;
  metric: string;
  metricTitle: string;
  unit: string;
  better: Better;
  /** mean(knob changed) ÷ mean(base); undefined when it cannot be computed. */
  ratio: number | undefined;
  lo: number | undefined;
  hi: number | undefined;
  verdict: IoPathVerdict;
  /** Why, from the comparison. */
  reason: string;
  n: number;
  nBase: number;
  /** The reference's mean ÷ the base path's mean, with its 95 % interval; absent when the reference did not run the case. */
  reference?: { ratio: number; lo: number | undefined; hi: number | undefined };
  /** Facts that varied between repetitions (either side). */
  notes: string[];
}

export interface IoPath {
  /** The variant whose value is drawn as the reference (native); undefined without one. */
  reference: string | undefined;
  knobs: IoPathKnob[];
  /** Variants with figures, in the palette's order. */
  variants: string[];
  /** Workloads with figures, in the order their samples came: one figure each. */
  workloads: string[];
  rows: IoPathRow[];
  /** Knob values that ran without a case at the base value to compare with: `tcg: queues 2 (no case with queues 1)`. */
  unpaired: string[];
}

const VERDICT_WORDS: Readonly<Record<string, IoPathVerdict>> = {
  better: 'faster',
  worse: 'slower',
  similar: 'similar',
  inconclusive: 'inconclusive',
};

/**
 * The I/O path section's model, or undefined when no variant ran a knob at two values (one of
 * them its base). `reference`: the variant drawn as the reference line (the report's).
 */
export function buildIoPath(samples: readonly Sample[], options: CompareReportOptions, reference: string | undefined): IoPath | undefined {
  const own = samples.filter((s) => metricFamily(s.metric) === s.dims.workload);
  const knobDims = [...new Set(own.flatMap((s) => Object.keys(s.dims)))].filter((d) => ioPathKnob(d) !== undefined);
  const runId = [...new Set(own.map((s) => String(s.dims.run ?? '')))].join(' + ');
  const knobs: IoPathKnob[] = [];
  const rows: IoPathRow[] = [];
  const unpaired: string[] = [];
  const referenceRows = reference === undefined ? [] : compareWithin({ id: runId, samples: own }, 'backend', reference, options).rows;
  for (const dim of knobDims) {
    const knob = ioPathKnob(dim)!;
    const follows = followers(own, dim);
    const report = compareWithin({ id: runId, samples: own }, dim, knob.base, { ...options, ignore: new Set([...options.ignore, ...follows]) });
    const paired = report.rows.filter((r) => r.value !== undefined && !r.deviceless);
    unpaired.push(...withoutBase(own, dim, knob));
    if (paired.length === 0) continue;
    const configs = configurationLabels(
      paired.map((r) => withoutKeys(r.dims, [dim, 'workload'])),
      () => '',
    );
    rows.push(...paired.map((r, i) => rowOf(r, dim, knob, configs[i]!, follows, referenceRows)));
    knobs.push({
      dim,
      label: knob.label,
      base: knob.base,
      values: orderValues([...new Set(paired.map((r) => r.value!))]),
      variants: sortVariants(paired.map((r) => ({ variant: variantOf(r.dims), backend: String(r.dims.backend) }))),
    });
  }
  if (rows.length === 0) return undefined;
  const variants = sortVariants(rows);
  const knobOrder = knobs.map((k) => k.dim);
  const metricOrder = [...new Set(own.map((s) => s.metric))];
  rows.sort(
    (a, b) =>
      metricOrder.indexOf(a.metric) - metricOrder.indexOf(b.metric) ||
      knobOrder.indexOf(a.knob) - knobOrder.indexOf(b.knob) ||
      compareValues(a.value, b.value) ||
      (a.change < b.change ? -1 : a.change > b.change ? 1 : 0) ||
      variants.indexOf(a.variant) - variants.indexOf(b.variant),
  );
  const workloads = [...new Set(own.map((s) => String(s.dims.workload)))].filter((w) => rows.some((r) => r.workload === w));
  return { reference: referenceRows.length > 0 ? reference : undefined, knobs, variants, workloads, rows, unpaired };
}

/**
 * Device dimensions that follow the knob: within every variant, each value of the knob comes
 * with one value of theirs (or none). Compared by the knob they must not keep its values apart:
 * a virtiofs case has no disk model, the block case has virtio-blk. A dimension that varies on
 * its own (aio threads with and without an iothread) stays matched.
 */
function followers(samples: readonly Sample[], dim: string): string[] {
  const candidates = new Set(samples.flatMap((s) => Object.keys(s.dims)).filter((d) => d !== dim && isDeviceDim(d) && ioPathKnob(d) === undefined));
  const seen = new Map<string, string>();
  for (const s of samples) {
    if (s.dims[dim] === undefined) continue;
    for (const d of candidates) {
      const key = JSON.stringify([variantOf(s.dims), String(s.dims[dim]), d]);
      const value = s.dims[d] === undefined ? '' : `=${s.dims[d]}`;
      const before = seen.get(key);
      if (before === undefined) seen.set(key, value);
      else if (before !== value) candidates.delete(d);
    }
  }
  return [...candidates];
}

/** `tcg: queues 2 ran without a case at queues 1`, per variant that ran the knob only at values other than its base. */
function withoutBase(samples: readonly Sample[], dim: string, knob: { label: string; base: string }): string[] {
  const values = new Map<string, Set<string>>();
  for (const s of samples) {
    if (s.dims[dim] === undefined) continue;
    const v = variantOf(s.dims);
    (values.get(v) ?? values.set(v, new Set()).get(v)!).add(String(s.dims[dim]));
  }
  return [...values]
    .filter(([, set]) => !set.has(knob.base))
    .map(([v, set]) => `${v}: ${knob.label} ${orderValues([...set]).join(', ')} ran without a case at ${knob.label} ${knob.base}`);
}

function rowOf(
  r: CompareRow,
  dim: string,
  knob: { label: string; base: string },
  configuration: string,
  follows: readonly string[],
  referenceRows: readonly CompareRow[],
): IoPathRow {
  const c = r.comparison;
  const variant = variantOf(r.dims);
  const ref = referenceOf(r, dim, knob.base, follows, referenceRows);
  return {
    knob: dim,
    label: knob.label,
    value: r.value!,
    base: knob.base,
    change: `${knob.label}: ${r.value} vs ${knob.base}${configuration ? ` (${configuration})` : ''}`,
    variant,
    backend: String(r.dims.backend),
    workload: String(r.dims.workload ?? ''),
    metric: r.metric,
    metricTitle: metricTitle(r.metric, r.unit),
    unit: r.unit,
    better: r.better,
    ratio: c.ratio,
    lo: c.ratioCi?.lo,
    hi: c.ratioCi?.hi,
    verdict: VERDICT_WORDS[c.verdict] ?? 'not computable',
    reason: c.reason,
    n: r.b.n,
    nBase: r.a.n,
    ...(ref === undefined ? {} : { reference: ref }),
    notes: r.notes ?? [],
  };
}

/**
 * The reference's mean ÷ the base path's mean: the inverse of the backend comparison's row
 * for the base series (base ÷ reference), its interval inverted with it (both the log-t and
 * the percentile bootstrap interval map through 1/x).
 */
function referenceOf(r: CompareRow, dim: string, base: string, follows: readonly string[], referenceRows: readonly CompareRow[]): IoPathRow['reference'] {
  // The knob's row leaves out what follows the knob (a disk model); the base series is the one that agrees on everything it keeps.
  const wanted = Object.entries({ ...r.dims, [dim]: base }).map(([k, v]) => [k, String(v)] as const);
  const keys = new Set([...wanted.map(([k]) => k), ...follows]);
  const row = referenceRows.find(
    (x) =>
      x.metric === r.metric &&
      x.unit === r.unit &&
      wanted.every(([k, v]) => x.dims[k] !== undefined && String(x.dims[k]) === v) &&
      Object.keys(x.dims).every((k) => keys.has(k)),
  );
  const c = row?.comparison;
  if (c?.ratio === undefined || !(c.ratio > 0)) return undefined;
  const inverse = (x: number | undefined) => (x === undefined || !(x > 0) ? undefined : 1 / x);
  return { ratio: 1 / c.ratio, lo: inverse(c.ratioCi?.hi), hi: inverse(c.ratioCi?.lo) };
}

function withoutKeys(dims: Dims, keys: readonly string[]): Dims {
  const out: Dims = {};
  for (const [k, v] of Object.entries(dims)) if (!keys.includes(k)) out[k] = v;
  return out;
}

/** Numbers by value (queues 2 before 16), anything else in the order given. */
function orderValues(values: string[]): string[] {
  return [...values].sort(compareValues);
}

function compareValues(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && a !== '' && b !== '' ? x - y : 0;
}
