import type { Better, Dims, Sample } from '../results/sample.ts';
import { measure, type CompareOptions, type Comparison, type GateTest, type Measured, type RatioCiMethod } from './compare.ts';
import { gateFamily } from './family.ts';
import { deriveSeed } from './prng.ts';
import { packSamples, type PackedSamples } from '../results/index/packed.ts';
import { groupMemo, groupPacked, type Where } from './history-series.ts';
import { PROVENANCE_DIMS } from './series.ts';
import { summarize, type Summary } from './summary.ts';
import type { CompareSettings } from './thresholds.ts';

/**
 * A metric across runs, for regression tracking: one series per set of matched
 * dimensions, one point per run (or per git revision, pooling the runs of a revision),
 * each point compared with the one before it by the same test as `hvbench compare`. The
 * steps of every series shown form one family: their p-values are adjusted together
 * (Holm), so a long history of unchanged runs does not flag a step by chance.
 */

export interface HistoryRun {
  id: string;
  startedAt: string;
  revision: string;
  dirty?: boolean;
  /** The run's samples (of any metric), or, from the index, `packed`. */
  samples?: readonly Sample[];
  /** The run's samples of the metric as columns (results/index/packed.ts). */
  packed?: PackedSamples;
}

export interface HistoryOptions {
  metric: string;
  /** A point per run (default) or per revision. */
  per?: 'run' | 'revision';
  ignore: ReadonlySet<string>;
  settings: (metric: string) => CompareSettings;
  seed: number;
  permutations?: number;
  ratioCi?: RatioCiMethod;
  test?: GateTest;
  /** Only the samples with these dimension values (`--where backend=tcg`). */
  where?: Where;
}

export interface HistoryPoint {
  /** Run id, or revision (with `+dirty` when uncommitted changes were measured). */
  label: string;
  runs: string[];
  /** Start of the earliest run of the point. */
  date: string;
  revision: string;
  summary: Summary;
  /** Provenance values seen (image, qemu, …), for spotting what changed. */
  provenance: Record<string, string[]>;
  /** Against the previous point; undefined for the first. */
  change?: Comparison;
  /** True when the change is a regression or an improvement (after the family-wise adjustment). */
  flagged: boolean;
}

export interface HistorySeries {
  metric: string;
  unit: string;
  better: Better;
  dims: Dims;
  points: HistoryPoint[];
}

export function buildHistory(runs: readonly HistoryRun[], options: HistoryOptions): HistorySeries[] {
  const ordered = [...runs].sort((x, y) => (x.startedAt < y.startedAt ? -1 : x.startedAt > y.startedAt ? 1 : x.id < y.id ? -1 : 1));
  const series = new Map<
    string,
    {
      head: Omit<HistorySeries, 'points'>;
      points: Map<string, { runs: string[]; date: string; revision: string; values: number[]; provenance: Record<string, string[]> }>;
    }
  >();
  const memo = groupMemo();
  for (const run of ordered) {
    const packed =
      run.packed ??
      packSamples(
        options.metric,
        (run.samples ?? []).filter((s) => s.metric === options.metric),
      );
    const pointLabel = options.per === 'revision' ? `${run.revision}${run.dirty ? '+dirty' : ''}` : run.id;
    for (const s of groupPacked(packed, options.ignore, options.where, memo)) {
      let entry = series.get(s.key);
      if (!entry) series.set(s.key, (entry = { head: { metric: s.metric, unit: s.unit, better: s.better, dims: s.dims }, points: new Map() }));
      let point = entry.points.get(pointLabel);
      if (!point) entry.points.set(pointLabel, (point = { runs: [], date: run.startedAt, revision: run.revision, values: [], provenance: {} }));
      if (!point.runs.includes(run.id)) point.runs.push(run.id);
      point.values.push(...s.values);
      for (const p of PROVENANCE_DIMS) for (const v of s.provenance[p] ?? []) if (!(point.provenance[p] ??= []).includes(v)) point.provenance[p]!.push(v);
    }
  }
  let stream = 0;
  // One metric: its settings, and the options of every step but its seed, made once (at the first step).
  let compareOptions: Omit<CompareOptions, 'seed'> | undefined;
  const stepOptions = (): Omit<CompareOptions, 'seed'> =>
    (compareOptions ??= {
      ...options.settings(options.metric),
      ...(options.permutations === undefined ? {} : { permutations: options.permutations }),
      ...(options.ratioCi === undefined ? {} : { ratioCi: options.ratioCi }),
      ...(options.test === undefined ? {} : { test: options.test }),
    });
  const steps: { measured: Measured; better: Better; point: HistoryPoint }[] = [];
  const result = [...series.values()].map(({ head, points }) => {
    const list: HistoryPoint[] = [];
    let previous: number[] | undefined;
    for (const [label, p] of points) {
      const point: HistoryPoint = {
        label,
        runs: p.runs,
        date: p.date,
        revision: p.revision,
        summary: summarize(p.values),
        provenance: p.provenance,
        flagged: false,
      };
      if (previous) {
        const measured = measure(previous, p.values, { ...stepOptions(), seed: deriveSeed(options.seed, stream++) });
        steps.push({ measured, better: head.better, point });
      }
      list.push(point);
      previous = p.values;
    }
    return { ...head, points: list };
  });
  const verdicts: Comparison[] = gateFamily(steps);
  steps.forEach((s, i) => {
    s.point.change = verdicts[i]!;
    s.point.flagged = verdicts[i]!.verdict === 'regression' || verdicts[i]!.verdict === 'improvement';
  });
  return result;
}

/** Series whose newest point is a regression against the point before it (what fails a CI job). */
export function latestRegressions(series: readonly HistorySeries[]): HistorySeries[] {
  return series.filter((s) => s.points.at(-1)?.change?.verdict === 'regression');
}
