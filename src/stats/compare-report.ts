import type { Dims, Sample } from '../results/sample.ts';
import {
  BACKEND_VERDICTS,
  compareBackends,
  DEFAULT_GATE_TEST,
  DEFAULT_RATIO_CI,
  GATE_VERDICTS,
  measure,
  type Comparison,
  type GateTest,
  type RatioCiMethod,
  type Verdict,
} from './compare.ts';
import type { CompareRow } from './compare-row.ts';
import { eventChanges, type EventChange } from './compare-events.ts';
import type { EquivalenceCheck } from './equivalence.ts';
import { gateFamily } from './family.ts';
import { findingsOf, type Finding } from './findings.ts';
import { outlierWarning } from './outliers.ts';
import { DEFAULT_PERMUTATIONS } from './permutation.ts';
import { DEFAULT_SEED, deriveSeed } from './prng.ts';
import { matchBy, matchRuns, PROVENANCE_DIMS, seriesLabel, varyingDims, varyingFacts, type Series, type SeriesPair } from './series.ts';
import type { SanityFlag } from './sanity.ts';
import { CLOCK_DRIFT_METRIC } from './sanity-drift.ts';
import { fasterThanNative } from './sanity-faster.ts';
import { runSanityFlags } from './sanity-run.ts';
import { summarize } from './summary.ts';
import type { CompareSettings } from './thresholds.ts';

export type { CompareRow } from './compare-row.ts';

/** Everything `hvbench compare` found, as printed by compare-text.ts or written as JSON. */

export const COMPARE_FORMAT = 1;

export interface RunSamples {
  id: string;
  samples: readonly Sample[];
}

export interface CompareReportOptions {
  ignore: ReadonlySet<string>;
  settings: (metric: string) => CompareSettings;
  seed?: number;
  permutations?: number;
  ratioCi?: RatioCiMethod;
  /** The regression gate's test (default Welch's t). */
  test?: GateTest;
  /** Only these metrics (all when absent or empty). */
  metrics?: readonly string[];
}

export interface CompareReport {
  format: typeof COMPARE_FORMAT;
  /** `runs`: the regression gate (a run against its baseline); `by`: the backend comparison within one run. */
  mode: 'runs' | 'by';
  /** A: the baseline run, or the reference value of `by`; B: the run under test, or the other values. */
  a: { run: string; value?: string };
  b: { run: string; values?: string[] };
  by?: string;
  method: {
    /** What decides the verdict, in words. */
    test: string;
    /** Gate only: the test behind p, and the family-wise correction over `familySize` series. */
    gateTest?: GateTest;
    correction?: 'holm';
    familySize?: number;
    permutations: number;
    seed: number;
    ratioCi: RatioCiMethod;
    level: number;
    ignoredDims: string[];
  };
  rows: CompareRow[];
  /** Gate only: regressions and improvements grouped by variant and metric (one change seen in many cases is one finding). */
  findings: Finding[];
  /** Series found on one side only (labels with metric). */
  unmatched: { onlyA: string[]; onlyB: string[] };
  /** Provenance dimensions whose values differ between A and B (e.g. a QEMU upgrade). */
  provenanceChanges: { dim: string; a: string[]; b: string[] }[];
  warnings: string[];
  /** The equivalence check of the sides' manifests (what each guest got), when the runs recorded them. */
  equivalence?: EquivalenceCheck;
  /** Sanity flags (stats/sanity.ts): a guest faster than native, clock drift, CV outliers, lab figures. */
  flags: SanityFlag[];
  /** Gate only, when both runs counted events: the counts that changed between them, largest first (compare-events.ts). */
  eventChanges?: EventChange[];
  /** Gate only: why no event changes are listed although both runs counted (their counters' sources differ). */
  eventChangesSkipped?: string;
  /** Rows per verdict: the gate's verdicts in `runs` mode, the backend comparison's in `by` mode. */
  counts: Partial<Record<Verdict, number>>;
}

/** Run B against baseline run A, series matched by dimensions. */
export function compareRuns(a: RunSamples, b: RunSamples, options: CompareReportOptions): CompareReport {
  const match = matchRuns(filter(a.samples, options), filter(b.samples, options), options.ignore);
  const report = buildReport('runs', { run: a.id }, { run: b.id }, match.pairs, options, [a.id, b.id]);
  const labels = labeller([...match.pairs.flatMap((p) => [p.a.dims, p.b.dims]), ...match.onlyA.map((s) => s.dims), ...match.onlyB.map((s) => s.dims)]);
  report.unmatched = { onlyA: match.onlyA.map((s) => `${labels(s.dims)} ${s.metric}`), onlyB: match.onlyB.map((s) => `${labels(s.dims)} ${s.metric}`) };
  report.provenanceChanges = provenanceChanges(match.pairs);
  const skipped = eventSourcesDiffer(report.provenanceChanges);
  const events = skipped === undefined ? eventChanges(report.rows) : [];
  if (skipped !== undefined) report.eventChangesSkipped = skipped;
  if (events.length > 0) report.eventChanges = events;
  report.flags = runSanityFlags([
    { id: a.id, samples: flagged(a.samples, options) },
    { id: b.id, samples: flagged(b.samples, options) },
  ]);
  return report;
}

/** Within one run: every value of dimension `by` against the `reference` value. */
export function compareWithin(run: RunSamples, by: string, reference: string, options: CompareReportOptions): CompareReport {
  const match = matchBy(filter(run.samples, options), by, reference, options.ignore);
  const values = match.values.filter((v) => v !== reference);
  const report = buildReport('by', { run: run.id, value: reference }, { run: run.id, values }, match.pairs, options, [run.id, run.id]);
  report.by = by;
  const labels = labeller(match.unmatched.map((s) => s.dims));
  report.unmatched = { onlyA: [], onlyB: match.unmatched.map((s) => `${labels(s.dims)} ${s.metric}`) };
  const faster: SanityFlag[] = [];
  report.rows.forEach((row, i) => {
    const pair = match.pairs[i]!;
    const flag = fasterThanNative({
      label: row.label,
      metric: row.metric,
      better: row.better,
      variant: row.value ?? '',
      reference,
      comparison: row.comparison,
      dims: row.dims,
      guest: { ...pair.b.facts, ...pair.b.provenance },
      referenceFacts: { ...pair.a.facts, ...pair.a.provenance },
    });
    if (!flag) return;
    faster.push(flag);
    if (flag.note) row.flags = [...(row.flags ?? []), flag.note];
  });
  report.flags = [...faster, ...runSanityFlags([{ id: run.id, samples: flagged(run.samples, options) }])];
  return report;
}

function buildReport(
  mode: CompareReport['mode'],
  a: CompareReport['a'],
  b: CompareReport['b'],
  pairs: readonly (SeriesPair & { value?: string; deviceless?: true })[],
  options: CompareReportOptions,
  runIds: [string, string],
): CompareReport {
  const seed = options.seed ?? DEFAULT_SEED;
  const ratioCi = options.ratioCi ?? DEFAULT_RATIO_CI;
  const permutations = options.permutations ?? DEFAULT_PERMUTATIONS;
  const gateTest = options.test ?? DEFAULT_GATE_TEST;
  const labels = labeller(pairs.map((p) => p.b.dims));
  const warnings: string[] = [];
  const compareOptions = (p: SeriesPair) => ({
    ...options.settings(p.b.metric),
    seed: deriveSeed(seed, hash32(p.b.key)),
    permutations,
    ratioCi,
    test: gateTest,
  });
  const comparisons: Comparison[] =
    mode === 'runs'
      ? gateFamily(pairs.map((p) => ({ measured: measure(p.a.values, p.b.values, compareOptions(p)), better: p.b.better })))
      : pairs.map((p) => compareBackends(p.a.values, p.b.values, p.b.better, compareOptions(p)));
  const counts: Partial<Record<Verdict, number>> = Object.fromEntries((mode === 'runs' ? GATE_VERDICTS : BACKEND_VERDICTS).map((v) => [v, 0]));
  const rows = pairs.map((p, i): CompareRow => {
    const label = labels(p.b.dims);
    const comparison = comparisons[i]!;
    counts[comparison.verdict] = (counts[comparison.verdict] ?? 0) + 1;
    for (const [side, s, runId] of [
      ['A', p.a, runIds[0]],
      ['B', p.b, runIds[1]],
    ] as const) {
      const where = mode === 'by' ? `${seriesLabel(s.dims)}` : `${label} in ${runId} (${side})`;
      const w = outlierWarning(`${where} ${s.metric}`, s.values, s.reps.every((r) => r !== undefined) ? (s.reps as number[]) : undefined);
      if (w && !warnings.includes(w)) warnings.push(w);
    }
    const notes = [...new Set([...varyingFacts(p.a), ...varyingFacts(p.b)])];
    return {
      metric: p.b.metric,
      unit: p.b.unit,
      better: p.b.better,
      label,
      dims: p.b.dims,
      ...(p.value === undefined ? {} : { value: p.value }),
      ...(p.deviceless ? { deviceless: true as const } : {}),
      ...(notes.length > 0 ? { notes } : {}),
      ...(p.a.cases && p.b.cases ? { cases: { a: p.a.cases, b: p.b.cases } } : {}),
      a: summarize(p.a.values),
      b: summarize(p.b.values),
      comparison,
    };
  });
  const familySize = comparisons.find((c) => c.familySize !== undefined)?.familySize ?? 0;
  const test =
    mode === 'runs'
      ? `${gateTest === 'welch' ? "Welch's t test on the logs of the values (on the values when some are ≤ 0)" : `permutation test on the difference of means (exact up to ${EXACT_SPLITS_TEXT} splits, else ${permutations} relabellings)`}, p adjusted over the ${familySize} series compared (Holm); a change counts when its adjusted p is below alpha and its 95 % interval reaches the noise threshold`
      : 'verdict from the 95 % interval of B/A: worse or better when it excludes 1, similar when it lies within the noise band, otherwise inconclusive (no test)';
  return {
    format: COMPARE_FORMAT,
    mode,
    a,
    b,
    method: {
      test,
      ...(mode === 'runs' ? { gateTest, correction: 'holm' as const, familySize } : {}),
      permutations,
      seed,
      ratioCi,
      level: 0.95,
      ignoredDims: [...options.ignore].sort(),
    },
    rows,
    findings: mode === 'runs' ? findingsOf(rows) : [],
    unmatched: { onlyA: [], onlyB: [] },
    provenanceChanges: [],
    warnings,
    flags: [],
    counts,
  };
}

const EXACT_SPLITS_TEXT = '200 000';

function filter(samples: readonly Sample[], options: CompareReportOptions): readonly Sample[] {
  if (!options.metrics || options.metrics.length === 0) return samples;
  const keep = new Set(options.metrics);
  return samples.filter((s) => keep.has(s.metric));
}

/**
 * The samples whose flags a comparison shows: those of the metrics compared, and the clock
 * readings of the cases they come from (drift concerns every figure of its case).
 */
function flagged(samples: readonly Sample[], options: CompareReportOptions): readonly Sample[] {
  const shown = filter(samples, options);
  if (shown === samples) return samples;
  const cases = new Set(shown.map((s) => `${s.dims.host}\n${s.dims.case}`));
  return [...shown, ...samples.filter((s) => s.metric === CLOCK_DRIFT_METRIC && cases.has(`${s.dims.host}\n${s.dims.case}`))];
}

/** Labels that name what varies between the series shown together. */
function labeller(all: readonly Dims[]): (dims: Dims) => string {
  const extra = varyingDims(all);
  return (dims) => seriesLabel(dims, extra);
}

function provenanceChanges(pairs: readonly SeriesPair[]): CompareReport['provenanceChanges'] {
  // Versions, and the facts that follow from a variant (accelerator, dom0 kernel, clocksource…): both are reported when they differ.
  const seen = (s: Series) => ({ ...s.facts, ...s.provenance });
  const collect = (pick: (p: SeriesPair) => Series) => (dim: string) => [...new Set(pairs.flatMap((p) => seen(pick(p))[dim] ?? []))].sort();
  const inA = collect((p) => p.a);
  const inB = collect((p) => p.b);
  const dims = [...new Set([...PROVENANCE_DIMS, ...pairs.flatMap((p) => [...Object.keys(p.a.facts), ...Object.keys(p.b.facts)])])];
  return dims.map((dim) => ({ dim, a: inA(dim), b: inB(dim) })).filter((c) => c.a.join('\n') !== c.b.join('\n'));
}

/**
 * Counts read from different sources differ in meaning (perf's `mmio_exits` also counts the
 * accesses the kernel served, debugfs's does not): they are not set against each other.
 */
function eventSourcesDiffer(changes: CompareReport['provenanceChanges']): string | undefined {
  const counted = (values: readonly string[]) => values.filter((v) => v !== 'none');
  const c = changes.find((x) => x.dim === 'event_source');
  if (!c) return undefined;
  const [a, b] = [counted(c.a), counted(c.b)];
  // A case that counted nothing (`none`) on one side only changes nothing about the others' sources.
  if (a.length === 0 || b.length === 0 || a.join('\n') === b.join('\n')) return undefined;
  return `not listed: A counted with ${a.join(', ')}, B with ${b.join(', ')}, whose counters differ in meaning (docs/overhead.md)`;
}

/** FNV-1a: a stable 32-bit number from a series key, so each series keeps its random stream. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
