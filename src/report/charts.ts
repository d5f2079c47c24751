import type { Sample } from '../results/sample.ts';
import type { CompareReport } from '../stats/compare-report.ts';
import type { HistorySeries } from '../stats/history.ts';
import type { IoPath } from './io-path.ts';
import type { MetricGroups } from './groups.ts';
import { metricFamily, metricTitle } from './metric-names.ts';
import { metricBars, type MetricBars } from './normalise.ts';
import { bootSpec } from './specs/boot.ts';
import type { Spec } from './specs/common.ts';
import { forestSpec } from './specs/forest.ts';
import { overviewSpec } from './specs/overview.ts';
import type { Overview } from './overview.ts';
import { historySpec } from './specs/history.ts';
import { ioPairsSpec, type IoMetric } from './specs/io-pairs.ts';
import { ioPathSpec } from './specs/io-path.ts';
import { scalingSpec } from './specs/scaling.ts';
import { densitySpec } from './specs/density.ts';
import type { Density } from './density.ts';
import type { Explained } from './explained.ts';
import { explainedSpec } from './specs/explained.ts';
import type { Scaling } from './scaling.ts';
import { metricBarsSpec } from './specs/metric-bars.ts';
import { isMicroCost, microSpec } from './specs/micro.ts';

/** The charts of a report, in page order, each with a file-safe id. */

export interface Chart {
  /** File name stem of its `.vl.json`, `.svg` and `.png`; unique in the report. */
  id: string;
  title: string;
  spec: Spec;
}

export interface ChartInput {
  samples: readonly Sample[];
  metrics: readonly MetricGroups[];
  bars: readonly MetricBars[];
  comparison: { report: CompareReport; title: string } | undefined;
  overview?: Overview | undefined;
  history: { series: HistorySeries[][]; runOrder: string[] } | undefined;
  /** The I/O path comparison, when the runs varied a knob. */
  ioPath?: IoPath | undefined;
  /** The scaling curves, when the runs measured more than one vCPU count. */
  scaling?: Scaling | undefined;
  /** The density curves, when the runs measured more than one guest count. */
  density?: Density | undefined;
  /** Where the time goes, when the runs counted events. */
  explained?: Explained | undefined;
}

/** Workloads whose device cases get a paravirtual-vs-emulated chart. */
export const IO_WORKLOADS: readonly string[] = ['disk', 'net'];

export function buildCharts(input: ChartInput): Chart[] {
  const charts: Chart[] = [];
  const ids = new Set<string>();
  const add = (id: string, title: string, spec: Spec | undefined) => {
    if (!spec) return;
    let unique = id;
    for (let i = 2; ids.has(unique); i++) unique = `${id}-${i}`;
    ids.add(unique);
    charts.push({ id: unique, title, spec });
  };
  if (input.overview) add('overview', `Every backend against ${input.overview.reference}`, overviewSpec(input.overview));
  if (input.comparison) {
    const families = [...new Set(input.comparison.report.rows.map((r) => metricFamily(r.metric)))];
    for (const f of families)
      add(`comparison-${slug(f)}`, `${input.comparison.title}: ${f}`, forestSpec(input.comparison.report, `${input.comparison.title}: ${f}`, f));
  }
  // Event counts are a chart each only without the section that sums them up: a counted suite has hundreds (steps × counters × per s and per op).
  for (const m of input.bars)
    if (!(input.explained && m.metric.metric.startsWith('events.')))
      add(`metric-${slug(m.metric.metric)}`, metricTitle(m.metric.metric, m.metric.unit), metricBarsSpec(m));
  for (const w of IO_WORKLOADS) {
    const io = ioMetrics(input.metrics, w);
    if (io.length > 0) add(`io-${w}`, `${w}: paravirtual vs emulated`, ioPairsSpec(w, io));
  }
  for (const w of input.scaling?.workloads ?? []) add(`scaling-${slug(w)}`, `Scaling of ${w} with the guest's vCPUs`, scalingSpec(input.scaling!, w));
  for (const w of input.density?.workloads ?? []) add(`density-${slug(w)}`, `Density of ${w}: guests at once`, densitySpec(input.density!, w));
  if (input.explained) add('explained', 'Where the time goes', explainedSpec(input.explained));
  for (const w of input.ioPath?.workloads ?? []) add(`io-path-${slug(w)}`, `I/O path of ${w}: each knob against its base value`, ioPathSpec(input.ioPath!, w));
  add('boot', 'Boot time', bootSpec(input.samples));
  add('micro-costs', 'Virtualization micro-costs', microSpec(input.metrics.filter((m) => isMicroCost(m.metric, m.unit)).map((m) => metricBars(m, undefined))));
  if (input.history) add('history', 'History across runs', historySpec(input.history.series, input.history.runOrder));
  return charts;
}

/** A file name from a metric name: lower-case letters, digits, dots, dashes and underscores only. */
export function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[.-]+/, '')
      .slice(0, 80) || 'chart'
  );
}

/** Metrics of a workload measured on both I/O classes by at least one backend, with their absolute bars. */
function ioMetrics(metrics: readonly MetricGroups[], workload: string): IoMetric[] {
  const out: IoMetric[] = [];
  for (const m of metrics) {
    if (!m.metric.startsWith(`${workload}.`) && m.metric !== 'host.cpu_s_per_gib') continue;
    const groups = m.groups.filter((g) => g.dims.workload === workload && g.dims.io !== undefined && !g.deviceless);
    const paired = new Set<string>();
    const byBackend = new Map<string, Set<string>>();
    for (const g of groups) (byBackend.get(g.variant) ?? byBackend.set(g.variant, new Set()).get(g.variant)!).add(String(g.dims.io));
    for (const [v, ios] of byBackend) if (ios.size > 1) paired.add(v);
    if (paired.size === 0) continue;
    const subset: MetricGroups = { ...m, groups, columns: m.columns.filter((c) => groups.some((g) => g.columnKey === c.key)) };
    out.push({ metric: m.metric, unit: m.unit, better: m.better, bars: metricBars(subset, undefined).bars });
  }
  return out;
}
