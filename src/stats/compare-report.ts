import type { Better, Dims, Sample } from '../results/sample.ts';
import { compareSeries, DEFAULT_RATIO_CI, type Comparison, type RatioCiMethod, type Verdict } from './compare.ts';
import { outlierWarning } from './outliers.ts';
import { DEFAULT_PERMUTATIONS } from './permutation.ts';
import { DEFAULT_SEED, deriveSeed } from './prng.ts';
import { matchBy, matchRuns, PROVENANCE_DIMS, seriesLabel, varyingDims, type Series, type SeriesPair } from './series.ts';
import { summarize, type Summary } from './summary.ts';
import type { CompareSettings } from './thresholds.ts';

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
  /** Only these metrics (all when absent or empty). */
  metrics?: readonly string[];
}

export interface CompareRow {
  metric: string;
  unit: string;
  better: Better;
  label: string;
  /** The matched dimensions of the B series. */
  dims: Dims;
  /** The value of the `by` dimension on the B side (one-run comparisons). */
  value?: string;
  a: Summary;
  b: Summary;
  comparison: Comparison;
}

export interface CompareReport {
  format: typeof COMPARE_FORMAT;
  mode: 'runs' | 'by';
  /** A: the baseline run, or the reference value of `by`; B: the run under test, or the other values. */
  a: { run: string; value?: string };
  b: { run: string; values?: string[] };
  by?: string;
  method: { test: string; permutations: number; seed: number; ratioCi: RatioCiMethod; level: number; ignoredDims: string[] };
  rows: CompareRow[];
  /** Series found on one side only (labels with metric). */
  unmatched: { onlyA: string[]; onlyB: string[] };
  /** Provenance dimensions whose values differ between A and B (e.g. a QEMU upgrade). */
  provenanceChanges: { dim: string; a: string[]; b: string[] }[];
  warnings: string[];
  counts: Record<Verdict, number>;
}

/** Run B against baseline run A, series matched by dimensions. */
export function compareRuns(a: RunSamples, b: RunSamples, options: CompareReportOptions): CompareReport {
  const match = matchRuns(filter(a.samples, options), filter(b.samples, options), options.ignore);
  const report = buildReport('runs', { run: a.id }, { run: b.id }, match.pairs, options, [a.id, b.id]);
  const labels = labeller([...match.pairs.flatMap((p) => [p.a.dims, p.b.dims]), ...match.onlyA.map((s) => s.dims), ...match.onlyB.map((s) => s.dims)]);
  report.unmatched = { onlyA: match.onlyA.map((s) => `${labels(s.dims)} ${s.metric}`), onlyB: match.onlyB.map((s) => `${labels(s.dims)} ${s.metric}`) };
  report.provenanceChanges = provenanceChanges(match.pairs);
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
  return report;
}

function buildReport(mode: CompareReport['mode'], a: CompareReport['a'], b: CompareReport['b'], pairs: readonly (SeriesPair & { value?: string })[], options: CompareReportOptions, runIds: [string, string]): CompareReport {
  const seed = options.seed ?? DEFAULT_SEED;
  const ratioCi = options.ratioCi ?? DEFAULT_RATIO_CI;
  const permutations = options.permutations ?? DEFAULT_PERMUTATIONS;
  const labels = labeller(pairs.map((p) => p.b.dims));
  const warnings: string[] = [];
  const counts: Record<Verdict, number> = { regression: 0, improvement: 0, 'no-change': 0 };
  const rows = pairs.map((p): CompareRow => {
    const label = labels(p.b.dims);
    const comparison = compareSeries(p.a.values, p.b.values, p.b.better, { ...options.settings(p.b.metric), seed: deriveSeed(seed, hash32(p.b.key)), permutations, ratioCi });
    counts[comparison.verdict]++;
    for (const [side, s, runId] of [['A', p.a, runIds[0]], ['B', p.b, runIds[1]]] as const) {
      const where = mode === 'by' ? `${seriesLabel(s.dims)}` : `${label} in ${runId} (${side})`;
      const w = outlierWarning(`${where} ${s.metric}`, s.values, s.reps.every((r) => r !== undefined) ? (s.reps as number[]) : undefined);
      if (w && !warnings.includes(w)) warnings.push(w);
    }
    return { metric: p.b.metric, unit: p.b.unit, better: p.b.better, label, dims: p.b.dims, ...(p.value === undefined ? {} : { value: p.value }), a: summarize(p.a.values), b: summarize(p.b.values), comparison };
  });
  return {
    format: COMPARE_FORMAT,
    mode,
    a,
    b,
    method: { test: 'two-sided permutation test on the difference of means', permutations, seed, ratioCi, level: 0.95, ignoredDims: [...options.ignore].sort() },
    rows,
    unmatched: { onlyA: [], onlyB: [] },
    provenanceChanges: [],
    warnings,
    counts,
  };
}

function filter(samples: readonly Sample[], options: CompareReportOptions): readonly Sample[] {
  if (!options.metrics || options.metrics.length === 0) return samples;
  const keep = new Set(options.metrics);
  return samples.filter((s) => keep.has(s.metric));
}

/** Labels that name what varies between the series shown together. */
function labeller(all: readonly Dims[]): (dims: Dims) => string {
  const extra = varyingDims(all);
  return (dims) => seriesLabel(dims, extra);
}

function provenanceChanges(pairs: readonly SeriesPair[]): CompareReport['provenanceChanges'] {
  const collect = (pick: (p: SeriesPair) => Series) => (dim: string) => [...new Set(pairs.flatMap((p) => pick(p).provenance[dim] ?? []))].sort();
  const inA = collect((p) => p.a);
  const inB = collect((p) => p.b);
  return PROVENANCE_DIMS.map((dim) => ({ dim, a: inA(dim), b: inB(dim) })).filter((c) => c.a.join('\n') !== c.b.join('\n'));
}

/** FNV-1a: a stable 32-bit number from a series key, so each series keeps its random stream. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
