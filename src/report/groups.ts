import { subVariantOf, VARIANT_DIMS, variantOf } from '../dims/catalogue.ts';
import { configurationLabels } from '../dims/labels.ts';
import type { Better, Dims, Sample } from '../results/sample.ts';
import { DEFAULT_IGNORED_DIMS, groupSeries, isDeviceless, varyingFacts, withoutDevice, type Series } from '../stats/series.ts';
import { isSignedMetric } from '../results/value-range.ts';

/**
 * How a report groups the samples of one metric: a *column* is one configuration (the
 * workload's parameters, the I/O class, …), and within it one *variant* per backend and
 * Xen guest type. Series are formed through the catalogue of dimensions (as `hvbench
 * compare` within a run forms them), so facts such as the guest's clocksource never split
 * a column. A variant without a device (native, whose disk is a file of the host) stands in
 * every device column of its configuration, as the reference of each device model.
 */

/** Left out of every group, besides what the catalogue never matches. */
export const REPORT_IGNORED_DIMS: readonly string[] = DEFAULT_IGNORED_DIMS;
/** Device models: folded into the column when that leaves one series per variant (xen's `xen-vbd` next to kvm's `virtio-blk`). */
export const MODEL_DIMS: readonly string[] = ['disk_model', 'nic_model', 'net_attach'];

export interface Group {
  metric: string;
  unit: string;
  better: Better;
  backend: string;
  /** What tells the variant apart from its backend's other variants (Xen's `pvh`, QEMU's `microvm`), and its dimension's label. */
  subVariant: { value: string; label: string } | undefined;
  /** `backend`, or `backend <sub-variant>` (`xen pvh`, `tcg microvm`). */
  variant: string;
  /** Key of the configuration; equal for the variants shown side by side. */
  columnKey: string;
  /** A short label of the configuration (what varies between the columns of this metric). */
  column: string;
  /** The series' matched dimensions. */
  dims: Dims;
  /** The device model(s), when the case had a device: `virtio-blk`, `e1000 (user-mode network)`, `host file`. */
  device: string | undefined;
  /** A variant without a device of its own, standing in a device column as its reference. */
  deviceless: boolean;
  values: number[];
  reps: (number | undefined)[];
  /** Facts that took more than one value between the repetitions (`guest clocksource: tsc-early, tsc`). */
  notes: string[];
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
export function groupByMetric(samples: readonly Sample[], ignore: ReadonlySet<string> = new Set(REPORT_IGNORED_DIMS)): MetricGroups[] {
  const byMetric = new Map<string, Sample[]>();
  for (const s of samples) {
    // Signed readings (clock drift) describe a case's conditions: never a figure (the sanity flags read them).
    if (isSignedMetric(s.metric)) continue;
    const key = `${s.metric}\u0000${s.unit}\u0000${s.better}`;
    const list = byMetric.get(key);
    if (list) list.push(s);
    else byMetric.set(key, [s]);
  }
  return [...byMetric.values()].map((list) => metricGroups(list, ignore));
}

function metricGroups(samples: readonly Sample[], ignore: ReadonlySet<string>): MetricGroups {
  const series = groupSeries(samples, ignore, 'within');
  const first = series[0]!;
  const devices = series.filter((s) => !isDeviceless(s.dims));
  const fold = canFoldModels(devices);
  // Columns come from the series with a device (or without any device dimension at all).
  const columnOf = new Map<Series, Dims>(devices.map((s) => [s, columnDims(s.dims, fold)]));
  const placed: { s: Series; dims: Dims; deviceless: boolean }[] = [];
  for (const s of series) {
    if (!isDeviceless(s.dims)) {
      placed.push({ s, dims: columnOf.get(s)!, deviceless: false });
      continue;
    }
    const coarse = keyOf(withoutDevice(columnDims(s.dims, true)));
    const targets = uniqueByKey([...columnOf.values()].filter((d) => keyOf(withoutDevice(d)) === coarse));
    if (targets.length === 0) placed.push({ s, dims: withoutDevice(columnDims(s.dims, true)), deviceless: true });
    else for (const d of targets) placed.push({ s, dims: d, deviceless: true });
  }
  const labels = configurationLabels(placed.map((p) => p.dims));
  const columns = new Map<string, string>();
  const groups = placed.map(({ s, dims, deviceless }, i): Group => {
    const columnKey = keyOf(dims);
    if (!columns.has(columnKey)) columns.set(columnKey, labels[i]!);
    const backend = String(s.dims.backend ?? 'unknown');
    return {
      metric: s.metric,
      unit: s.unit,
      better: s.better,
      backend,
      subVariant: subVariantOf(s.dims),
      variant: variantOf(s.dims),
      columnKey,
      column: labels[i]!,
      dims: s.dims,
      device: deviceOf(s.dims),
      deviceless,
      values: s.values,
      reps: s.reps,
      notes: varyingFacts(s),
    };
  });
  return { metric: first.metric, unit: first.unit, better: first.better, groups, columns: [...columns].map(([key, label]) => ({ key, label })) };
}

/** Device models may leave the column key when no variant then has two series in one column. */
function canFoldModels(series: readonly Series[]): boolean {
  const seen = new Set<string>();
  for (const s of series) {
    const key = JSON.stringify([keyOf(columnDims(s.dims, true)), variantOf(s.dims)]);
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}

function columnDims(dims: Dims, foldModels: boolean): Dims {
  const out: Dims = {};
  for (const k of Object.keys(dims).sort()) {
    if (VARIANT_DIMS.includes(k) || (foldModels && MODEL_DIMS.includes(k))) continue;
    out[k] = dims[k]!;
  }
  return out;
}

function keyOf(dims: Dims): string {
  return JSON.stringify(Object.entries(dims).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function uniqueByKey(list: readonly Dims[]): Dims[] {
  const seen = new Map<string, Dims>();
  for (const d of list) if (!seen.has(keyOf(d))) seen.set(keyOf(d), d);
  return [...seen.values()];
}

function deviceOf(dims: Dims): string | undefined {
  if (isDeviceless(dims)) return dims.disk_model === 'host-file' ? 'host file' : 'no device';
  const models = [dims.disk_model, dims.nic_model].filter((v) => v !== undefined).map(String);
  if (models.length === 0) return undefined;
  return dims.net_attach === 'user' ? `${models.join(', ')} (user-mode network)` : models.join(', ');
}
