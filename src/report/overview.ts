import { dimDef, VARIANT_DIMS } from '../dims/catalogue.ts';
import type { Better, Dims } from '../results/sample.ts';
import type { CompareReport, CompareRow } from '../stats/compare-report.ts';
import { metricTitle } from './metric-names.ts';
import { sortVariants } from './palette.ts';

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
}

/**
 * The overview from a within-run comparison (`compareWithin(…, 'backend', reference)`).
 * `headlines`: the metrics shown (a workload's headline metric); when undefined, the first
 * metric of each workload in the comparison's order.
 */
export function buildOverview(report: CompareReport, headlines?: ReadonlySet<string>): Overview | undefined {
  if (report.mode !== 'by' || report.a.value === undefined) return undefined;
  const shown = headlines ?? firstMetricPerWorkload(report.rows);
  const rows = report.rows.filter((r) => shown.has(r.metric) && r.value !== undefined);
  if (rows.length === 0) return undefined;
  const configs = configurationLabels(rows.map((r) => r.dims));
  const byKey = new Map<string, OverviewRow>();
  rows.forEach((r, i) => {
    const workload = String(r.dims.workload ?? '');
    const configuration = configs[i]!;
    const key = JSON.stringify([r.metric, workload, configuration]);
    let row = byKey.get(key);
    if (!row) {
      byKey.set(key, (row = { workload, metric: r.metric, metricTitle: metricTitle(r.metric, r.unit), unit: r.unit, better: r.better, configuration, referenceNote: undefined, cells: {} }));
    }
    if (r.deviceless) row.referenceNote = `${report.a.value} has no device: its host file is the reference for every device model`;
    row.cells[r.value!] = {
      ratio: r.comparison.ratio,
      lo: r.comparison.ratioCi?.lo,
      hi: r.comparison.ratioCi?.hi,
      verdict: r.comparison.verdict,
      n: r.b.n,
      nReference: r.a.n,
      notes: r.notes ?? [],
    };
  });
  const variants = sortVariants([...new Set(rows.map((r) => r.value!))].map((v) => ({ variant: v, backend: v.split(' ')[0]! })));
  return { reference: report.a.value, variants, rows: [...byKey.values()] };
}

function firstMetricPerWorkload(rows: readonly CompareRow[]): Set<string> {
  const first = new Map<string, string>();
  for (const r of rows) {
    const w = String(r.dims.workload ?? '');
    if (!first.has(w)) first.set(w, r.metric);
  }
  return new Set(first.values());
}

/**
 * What tells the rows of one workload apart: the configuration dimensions (not the variant)
 * whose values differ between rows of that workload, as `threads=2 io=emulated`.
 */
function configurationLabels(all: readonly Dims[]): string[] {
  const byWorkload = new Map<string, Dims[]>();
  for (const d of all) (byWorkload.get(String(d.workload)) ?? byWorkload.set(String(d.workload), []).get(String(d.workload))!).push(d);
  return all.map((d) => {
    const peers = byWorkload.get(String(d.workload))!;
    const keys = [...new Set(peers.flatMap((p) => Object.keys(p)))].filter((k) => k !== 'workload' && !VARIANT_DIMS.includes(k) && dimDef(k).role === 'configuration').sort();
    const varying = keys.filter((k) => new Set(peers.map((p) => String(p[k]))).size > 1);
    return varying
      .filter((k) => d[k] !== undefined)
      .map((k) => (k === 'disk_model' || k === 'nic_model' ? String(d[k]) : `${dimDef(k).label}=${d[k]}`))
      .join(' ');
  });
}
