import { variantOf } from '../dims/catalogue.ts';
import type { Sample } from '../results/sample.ts';
import { compareRuns, compareWithin, type CompareReport, type CompareReportOptions } from '../stats/compare-report.ts';
import { buildHistory, type HistorySeries } from '../stats/history.ts';
import { DEFAULT_IGNORED_DIMS } from '../stats/series.ts';
import { HvbError } from '../util/errors.ts';
import { buildCharts, type Chart } from './charts.ts';
import { groupByMetric, REPORT_IGNORED_DIMS } from './groups.ts';
import { buildIoPath, type IoPath } from './io-path.ts';
import type { ReportInput, ReportRun } from './input.ts';
import { methodology, type MethodologyItem } from './methodology.ts';
import { buildOverview, type Overview } from './overview.ts';
import { buildScaling, type Scaling } from './scaling.ts';
import { buildDensity, type Density } from './density.ts';
import { buildExplained, type Explained } from './explained.ts';
import { metricBars } from './normalise.ts';
import { summaryRows, type SummaryRow } from './summary.ts';
import { collectWarnings, labHosts, type ReportWarning } from './warnings.ts';

/** Everything a report shows, before it is written out as HTML, specs, figures and tables. */
export interface ReportModel {
  title: string;
  generatedAt: string;
  runs: string[];
  baseline: string | undefined;
  /** The variant bars are normalised to (when every column has it). */
  reference: string | undefined;
  /** Every variant against the reference, per workload: the page's first view. */
  overview: Overview | undefined;
  /** Each I/O path knob against its base value, per backend; only when the runs varied a knob. */
  ioPath?: IoPath | undefined;
  /** Each metric against the guest's vCPUs, per backend; only when the runs measured more than one vCPU count. */
  scaling?: Scaling | undefined;
  /** Density cases' sums and fairness against the guests at once, per backend; only when the runs measured more than one count. */
  density?: Density | undefined;
  /** Each backend's gap to the reference set against its counted events; only when the runs counted events. */
  explained?: Explained | undefined;
  /** True when several runs were pooled into each series. */
  pooled: boolean;
  charts: Chart[];
  summary: SummaryRow[];
  comparison: CompareReport | undefined;
  warnings: ReportWarning[];
  methodology: MethodologyItem[];
  /** Names of lab hosts whose figures are functional checks only. */
  labHosts: string[];
}

export function buildReport(input: ReportInput): ReportModel {
  if (input.runs.length === 0) throw new HvbError('usage', 'report: expected at least one run, received none');
  const samples = input.runs.flatMap((r) => r.samples);
  if (samples.length === 0)
    throw new HvbError('usage', `report: the runs ${input.runs.map((r) => r.record.id).join(', ')} hold no samples`, {
      hint: 'report on runs whose cases completed at least one repetition',
    });
  const reference = chooseReference(samples, input.reference);
  // `--ignore` acts on the charts too: an ignored dimension no longer splits a column.
  const metrics = groupByMetric(samples, new Set([...REPORT_IGNORED_DIMS, ...(input.ignore ?? [])]));
  const bars = metrics.map((m) => metricBars(m, reference));
  const normalisedTo = bars.find((b) => b.reference !== undefined)?.reference;
  const comparison = compare(input, samples, reference);
  const allRuns = input.baseline ? [input.baseline, ...input.runs] : input.runs;
  const history = historyOf(input, allRuns);
  const explained = buildExplained(samples, reference, input.seed);
  const overview = comparison && comparison.report.mode === 'by' ? buildOverview(comparison.report, input.headlines, explained) : undefined;
  const ioPath = buildIoPath(samples, compareOptions(input), reference);
  const scaling = buildScaling(metrics, normalisedTo ?? reference);
  const density = buildDensity(metrics);
  const charts = buildCharts({ samples, metrics, bars, comparison, history, overview, ioPath, scaling, density, explained });
  const warnings = collectWarnings(allRuns, bars, comparison?.report);
  if (input.runs.length > 1 && !input.baseline) {
    warnings.unshift({
      kind: 'note',
      text: `the runs ${input.runs.map((r) => r.record.id).join(', ')} are pooled: every series holds the repetitions of all of them (n adds up); give one run, or one with --baseline, to keep them apart`,
    });
  }
  if (comparison) for (const w of comparison.report.warnings) if (!warnings.some((x) => x.text === w)) warnings.push({ kind: 'outlier', text: w });
  return {
    title: input.title ?? `hvbench report: ${[...new Set(input.runs.map((r) => r.record.suite.name))].join(', ')}`,
    generatedAt: input.generatedAt,
    runs: input.runs.map((r) => r.record.id),
    baseline: input.baseline?.record.id,
    reference: normalisedTo,
    overview,
    ioPath,
    scaling,
    density,
    explained,
    pooled: input.runs.length > 1 && !input.baseline,
    charts,
    summary: summaryRows(bars),
    comparison: comparison?.report,
    warnings,
    methodology: methodology(input, allRuns, normalisedTo),
    labHosts: labHosts(allRuns),
  };
}

function chooseReference(samples: readonly Sample[], asked: string | null | undefined): string | undefined {
  if (asked === null) return undefined;
  const backends = new Set(samples.map((s) => String(s.dims.backend ?? 'unknown')));
  if (asked === undefined) return backends.has('native') ? 'native' : undefined;
  const variants = new Set(samples.map((s) => variantOf(s.dims)));
  if (!backends.has(asked) && !variants.has(asked)) {
    throw new HvbError(
      'usage',
      `--reference ${JSON.stringify(asked)}: no sample has that backend; expected one of: ${[...new Set([...backends, ...variants])].sort().join(', ')}, or none`,
    );
  }
  return asked;
}

function compareOptions(input: ReportInput): CompareReportOptions {
  return {
    ignore: input.ignore ?? new Set(DEFAULT_IGNORED_DIMS),
    settings: input.settings,
    seed: input.seed,
    permutations: input.permutations,
    ratioCi: input.ratioCi,
  };
}

/** Against the baseline run when there is one; otherwise every backend against the reference, when there are two or more. */
function compare(input: ReportInput, samples: readonly Sample[], reference: string | undefined): { report: CompareReport; title: string } | undefined {
  const options = compareOptions(input);
  if (input.baseline) {
    const id = input.runs.map((r) => r.record.id).join(' + ');
    const report = compareRuns({ id: input.baseline.record.id, samples: input.baseline.samples }, { id, samples }, options);
    return { report, title: `Comparison: ${id} against baseline ${input.baseline.record.id}` };
  }
  const backends = new Set(samples.map((s) => s.dims.backend));
  if (reference === undefined || backends.size < 2 || !backends.has(reference)) return undefined;
  const report = compareWithin({ id: input.runs.map((r) => r.record.id).join(' + '), samples }, 'backend', reference, options);
  return report.rows.length > 0 ? { report, title: `Comparison: every backend against ${reference}` } : undefined;
}

/** History lines, one list of series per metric, when the report covers two runs or more. */
function historyOf(input: ReportInput, runs: readonly ReportRun[]): { series: HistorySeries[][]; runOrder: string[] } | undefined {
  if (runs.length < 2) return undefined;
  const ordered = [...runs].sort((a, b) => (a.record.startedAt < b.record.startedAt ? -1 : 1));
  const historyRuns = ordered.map((r) => ({ id: r.record.id, startedAt: r.record.startedAt, revision: r.record.hvbench.revision, samples: r.samples }));
  const metricNames = [...new Set(runs.flatMap((r) => r.samples.map((s) => s.metric)))];
  const series = metricNames.map((metric) =>
    buildHistory(historyRuns, {
      metric,
      ignore: new Set(REPORT_IGNORED_DIMS),
      settings: input.settings,
      seed: input.seed,
      permutations: input.permutations,
      ratioCi: input.ratioCi,
    }),
  );
  return { series, runOrder: ordered.map((r) => r.record.id) };
}
