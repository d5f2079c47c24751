import type { Better, Dims, Sample } from '../results/sample.ts';
import { DEFAULT_IGNORED_DIMS, groupSeries, type Series } from '../stats/series.ts';

/**
 * How a report groups the samples of one metric: a *column* is one configuration (the
 * workload's parameters, the I/O class, …), and within it one *variant* per backend and
 * Xen guest type. Every chart and table of a report uses these groups.
 */

/** Left out of every group: run-specific and provenance dims, and the driver that follows from the device model. */
export const REPORT_IGNORED_DIMS: readonly string[] = [...DEFAULT_IGNORED_DIMS, 'disk_driver', 'nic_driver'];
/** What tells variants apart within a column. */
export const VARIANT_DIMS: readonly string[] = ['backend', 'accel', 'guest_type'];
/** Device models: folded into the column when that leaves one series per variant (native's `host-file` next to tcg's `virtio-blk`). */
export const MODEL_DIMS: readonly string[] = ['disk_model', 'nic_model', 'net_attach'];

export interface Group {
  metric: string;
  unit: string;
  better: Better;
  backend: string;
  guestType: string | undefined;
  /** `backend`, or `backend guest-type` (Xen). */
  variant: string;
  /** Key of the configuration; equal for the variants shown side by side. */
  columnKey: string;
  /** A short label of the configuration (what varies between the columns of this metric). */
  column: string;
  /** The series' matched dimensions. */
  dims: Dims;
  /** The device model(s), when the case had a device: `virtio-blk`, `e1000 (user)`. */
  device: string | undefined;
  values: number[];
  reps: (number | undefined)[];
}

export interface MetricGroups {
  metric: string;
  unit: string;
  better: Better;
  groups: Group[];
  /** Column keys in order of first appearance, with their labels. */
  columns: { key: string; label: string }[];
}

/** Groups samples by metric (first-seen order), then into columns and variants. */
export function groupByMetric(samples: readonly Sample[]): MetricGroups[] {
  const byMetric = new Map<string, Sample[]>();
  for (const s of samples) {
    const key = `${s.metric}\u0000${s.unit}\u0000${s.better}`;
    const list = byMetric.get(key);
    if (list) list.push(s);
    else byMetric.set(key, [s]);
  }
  return [...byMetric.values()].map(metricGroups);
}

function metricGroups(samples: readonly Sample[]): MetricGroups {
  const series = groupSeries(samples, new Set(REPORT_IGNORED_DIMS));
  const first = series[0]!;
  const fold = canFoldModels(series);
  const keyed = series.map((s) => ({ s, columnDims: columnDims(s.dims, fold) }));
  const labels = columnLabels(keyed.map((k) => k.columnDims));
  const columns = new Map<string, string>();
  const groups = keyed.map(({ s, columnDims: dims }, i): Group => {
    const columnKey = JSON.stringify(Object.entries(dims));
    if (!columns.has(columnKey)) columns.set(columnKey, labels[i]!);
    const backend = String(s.dims.backend ?? 'unknown');
    const guestType = s.dims.guest_type === undefined ? undefined : String(s.dims.guest_type);
    return {
      metric: s.metric,
      unit: s.unit,
      better: s.better,
      backend,
      guestType,
      variant: guestType === undefined ? backend : `${backend} ${guestType}`,
      columnKey,
      column: labels[i]!,
      dims: s.dims,
      device: deviceOf(s.dims),
      values: s.values,
      reps: s.reps,
    };
  });
  return { metric: first.metric, unit: first.unit, better: first.better, groups, columns: [...columns].map(([key, label]) => ({ key, label })) };
}

/** Device models may leave the column key when no variant then has two series in one column. */
function canFoldModels(series: readonly Series[]): boolean {
  const seen = new Set<string>();
  for (const s of series) {
    const key = JSON.stringify([Object.entries(columnDims(s.dims, true)), variantOf(s.dims)]);
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

function variantOf(dims: Dims): string {
  return VARIANT_DIMS.map((d) => String(dims[d] ?? '')).join('\u0000');
}

function columnDims(dims: Dims, foldModels: boolean): Dims {
  const out: Dims = {};
  for (const k of Object.keys(dims).sort()) {
    if (VARIANT_DIMS.includes(k) || (foldModels && MODEL_DIMS.includes(k))) continue;
    out[k] = dims[k]!;
  }
  return out;
}

/** `threads=1`, `io=emulated`, `boot`: the dims that vary between columns (workload shown by value). */
function columnLabels(all: readonly Dims[]): string[] {
  const keys = [...new Set(all.flatMap((d) => Object.keys(d)))].sort();
  // The workload first: `cpu threads=1`, not `threads=1 cpu`.
  const varying = keys.filter((k) => new Set(all.map((d) => String(d[k]))).size > 1).sort((a, b) => (a === 'workload' ? -1 : b === 'workload' ? 1 : 0));
  return all.map((d) => {
    const parts = varying.filter((k) => d[k] !== undefined).map((k) => (k === 'workload' ? String(d[k]) : `${k.replace(/^param\./, '')}=${d[k]}`));
    return parts.length > 0 ? parts.join(' ') : String(d.workload ?? 'all');
  });
}

function deviceOf(dims: Dims): string | undefined {
  const models = [dims.disk_model, dims.nic_model].filter((v) => v !== undefined).map(String);
  if (models.length === 0) return undefined;
  return dims.net_attach === 'user' ? `${models.join(', ')} (user-mode network)` : models.join(', ');
}
