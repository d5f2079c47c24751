import { dimDef } from '../dims/catalogue.ts';
import { configurationLabels } from '../dims/labels.ts';
import { MODEL_DIMS } from './groups.ts';
import type { Better, Dims } from '../results/sample.ts';
import type { CompareReport, CompareRow } from '../stats/compare-report.ts';
import { metricFamily, metricTitle } from './metric-names.ts';
import { sortVariants } from './palette.ts';
import { explainedShareOf, type Explained, type ExplainedShare } from './explained.ts';

/**
 * The one glance a platform choice needs: for each workload configuration, its headline
 * metric as the ratio of every variant (backend, Xen guest type) to the reference
 * (native), with the 95 % interval and the verdict taken from it. Built from the rows of
 * the within-run backend comparison, so the page, the tables and `hvbench compare` agree.
 */

export interface OverviewCell {
  /** mean(variant) / mean(reference); undefined when it cannot be computed. */
  ratio: number | undefined;
  lo: number | undefined;
  hi: number | undefined;
  /** The comparison's verdict word (`worse`, `better`, `similar`, `inconclusive`, …). */
  verdict: string;
  /** Repetitions of the variant and of the reference. */
  n: number;
  nReference: number;
  /** A fact that varied between repetitions, or another note for a footnote. */
  notes: string[];
  /** The variant's device model in this row (`virtio-blk`, `xen-vbd`), when the case had one. */
  device?: string;
  /** The share of the gap to the reference its counted events explain (explained.ts), where the runs counted and modelled this step. */
  explained?: ExplainedShare;
}

export interface OverviewRow {
  workload: string;
  metric: string;
  /** `sysbench cpu events/s`-style readable name, with the unit. */
  metricTitle: string;
  unit: string;
  better: Better;
  /** What tells rows of one workload apart: `threads=2`, `virtio-blk`; '' when the workload has one row. */
  configuration: string;
  /** Set when the reference had no device of its own (native's host file stands for every device model). */
  referenceNote: string | undefined;
  /** One cell per variant (keys of `Overview.variants`); a missing key means that variant did not measure the row. */
  cells: Record<string, OverviewCell>;
}

export interface Overview {
  /** The reference variant (`native`). */
  reference: string;
  /** The compared variants, in the palette's order (columns of every rendering). */
  variants: string[];
  rows: OverviewRow[];
  /** Set when some cell has an explained share: the renderings add its column. */
  explained?: true;
}

/**
 * The overview from a within-run comparison (`compareWithin(…, 'backend', reference)`).
 * `headlines`: the metrics shown (a workload's headline metric); when undefined, the first
 * metric of each workload in the comparison's order.
 */
export function buildOverview(report: CompareReport, headlines?: ReadonlySet<string>, explained?: Explained): Overview | undefined {
  if (report.mode !== 'by' || report.a.value === undefined) return undefined;
  const shown = headlines ?? firstMetricPerWorkload(report.rows);
  const rows = report.rows.filter((r) => shown.has(r.metric) && r.value !== undefined && headlineOf(r, shown));
  if (rows.length === 0) return undefined;
  const rowDims = foldModels(rows);
  const configs = rowLabels(rowDims);
  const byKey = new Map<string, OverviewRow>();
  rows.forEach((r, i) => {
    const workload = String(r.dims.workload ?? '');
    const configuration = configs[i]!;
    const key = JSON.stringify([r.metric, workload, Object.entries(rowDims[i]!).sort()]);
    let row = byKey.get(key);
    if (!row) {
      byKey.set(
        key,
        (row = {
          workload,
          metric: r.metric,
          metricTitle: metricTitle(r.metric, r.unit),
          unit: r.unit,
          better: r.better,
          configuration,
          referenceNote: undefined,
          cells: {},
        }),
      );
    }
    if (r.deviceless) row.referenceNote = `${report.a.value} has no device: its host file is the reference for every device model`;
    const share = explainedShareOf(explained, r);
    row.cells[r.value!] = {
      ratio: r.comparison.ratio,
      lo: r.comparison.ratioCi?.lo,
      hi: r.comparison.ratioCi?.hi,
      verdict: r.comparison.verdict,
      n: r.b.n,
      nReference: r.a.n,
      notes: [...(r.notes ?? []), ...(r.flags ?? [])],
      ...(deviceOf(r.dims) === undefined ? {} : { device: deviceOf(r.dims)! }),
      ...(share ? { explained: share } : {}),
    };
  });
  const variants = sortVariants([...new Set(rows.map((r) => r.value!))].map((v) => ({ variant: v, backend: v.split(' ')[0]! })));
  const out = [...byKey.values()];
  return { reference: report.a.value, variants, rows: out, ...(out.some((r) => Object.values(r.cells).some((c) => c.explained)) ? { explained: true } : {}) };
}

/* Device model dimensions (MODEL_DIMS) leave a row's identity when every variant still has one row (kvm's virtio-blk beside xen's xen-vbd). */

function configurationOf(dims: Dims): Dims {
  const out: Dims = {};
  for (const [k, v] of Object.entries(dims)) if (dimDef(k).role === 'configuration') out[k] = v;
  return out;
}

function foldModels(rows: readonly CompareRow[]): Dims[] {
  const folded = rows.map((r) => {
    const d = configurationOf(r.dims);
    for (const m of MODEL_DIMS) delete d[m];
    return d;
  });
  const seen = new Set<string>();
  for (const [i, r] of rows.entries()) {
    const key = JSON.stringify([r.metric, r.value, Object.entries(folded[i]!).sort()]);
    if (seen.has(key)) return rows.map((x) => configurationOf(x.dims));
    seen.add(key);
  }
  return folded;
}

function deviceOf(dims: Dims): string | undefined {
  const models = [dims.disk_model, dims.nic_model].filter((v) => v !== undefined).map(String);
  return models.length === 0 ? undefined : models.join(', ');
}

/** A row is shown for its own workload's headline (boot time is the boot workload's, not every workload's). */
function headlineOf(r: CompareRow, shown: ReadonlySet<string>): boolean {
  const w = String(r.dims.workload ?? '');
  const family = metricFamily(r.metric);
  const workloadHasOwn = [...shown].some((m) => m.startsWith(`${w}.`));
  return family === w || !workloadHasOwn;
}

/** Each workload's headline: its first metric of its own family (`cpu.events_per_s` for cpu), else its first metric. */
function firstMetricPerWorkload(rows: readonly CompareRow[]): Set<string> {
  const first = new Map<string, string>();
  const own = new Map<string, string>();
  for (const r of rows) {
    const w = String(r.dims.workload ?? '');
    if (!first.has(w)) first.set(w, r.metric);
    if (!own.has(w) && r.metric.startsWith(`${w}.`)) own.set(w, r.metric);
  }
  return new Set([...first.keys()].map((w) => own.get(w) ?? first.get(w)!));
}

/** What tells the rows of one workload apart: `threads=2`, `virtio-blk` ('' when the workload has one row). */
function rowLabels(all: readonly Dims[]): string[] {
  const out: string[] = new Array(all.length);
  const byWorkload = new Map<string, number[]>();
  for (const [i, d] of all.entries()) {
    const w = String(d.workload);
    (byWorkload.get(w) ?? byWorkload.set(w, []).get(w)!).push(i);
  }
  for (const indices of byWorkload.values()) {
    const labels = configurationLabels(
      indices.map((i) => all[i]!),
      () => '',
    );
    for (const [k, i] of indices.entries()) out[i] = labels[k]!;
  }
  return out;
}
