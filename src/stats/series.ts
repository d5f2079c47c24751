import type { Better, Dims, Sample } from '../results/sample.ts';

/**
 * Series: the values of one metric that belong together, matched by their dimensions.
 * Two samples are in the same series when metric, unit, direction and every dimension
 * agree, except the dimensions below, which are left out of the match.
 */

/** Differ from run to run by construction. (`ts` is a field of the sample, never matched.) */
export const RUN_SPECIFIC_DIMS: readonly string[] = ['run', 'rep', 'seq'];
/**
 * Versions of what is under test: a regression check compares across them (a new QEMU, a
 * new image, a new guest kernel), so they are not matched; compare reports when they differ.
 */
export const PROVENANCE_DIMS: readonly string[] = ['image', 'initrd', 'guest_kernel', 'qemu', 'xen'];
/** Redundant: the case id is built from backend, workload and parameters, which are matched one by one. */
export const DERIVED_DIMS: readonly string[] = ['case'];
/**
 * Dimensions that follow from another one, left out too when comparing by that one: a
 * backend brings its accelerator, CPU model, vhost-net choice and what the guest sees of it;
 * an I/O class or a device model is set by a parameter and brings the model and the driver
 * that bound it (so `--by io --reference paravirtual` pairs virtio with IDE and e1000).
 */
export const FOLLOWS_FROM: Readonly<Record<string, readonly string[]>> = {
  backend: ['accel', 'cpu_model', 'vhost_net', 'guest_hypervisor', 'guest_clocksource'],
  io: ['param.io', 'param.device', 'disk_model', 'disk_driver', 'nic_model', 'nic_driver'],
  disk_model: ['param.io', 'param.device', 'io', 'disk_driver'],
  nic_model: ['param.io', 'param.device', 'io', 'nic_driver'],
};

/** Every dimension left out of the match by default. */
export const DEFAULT_IGNORED_DIMS: readonly string[] = [...RUN_SPECIFIC_DIMS, ...PROVENANCE_DIMS, ...DERIVED_DIMS];

export interface Series {
  key: string;
  metric: string;
  unit: string;
  better: Better;
  /** The matched dimensions (every dimension but the ignored ones). */
  dims: Dims;
  values: number[];
  /** The `rep` dimension of each value, when present (for outlier messages). */
  reps: (number | undefined)[];
  /** Values seen for each provenance dimension. */
  provenance: Record<string, string[]>;
}

/** The dims that take part in the match. */
export function matchedDims(dims: Dims, ignore: ReadonlySet<string>): Dims {
  const out: Dims = {};
  for (const k of Object.keys(dims).sort()) if (!ignore.has(k)) out[k] = dims[k]!;
  return out;
}

export function seriesKey(s: Pick<Sample, 'metric' | 'unit' | 'better'>, dims: Dims): string {
  return JSON.stringify([s.metric, s.unit, s.better, Object.entries(dims)]);
}

/** Groups samples into series, in order of first appearance. */
export function groupSeries(samples: readonly Sample[], ignore: ReadonlySet<string> = new Set(DEFAULT_IGNORED_DIMS)): Series[] {
  const byKey = new Map<string, Series>();
  for (const s of samples) {
    const dims = matchedDims(s.dims, ignore);
    const key = seriesKey(s, dims);
    let series = byKey.get(key);
    if (!series) byKey.set(key, (series = { key, metric: s.metric, unit: s.unit, better: s.better, dims, values: [], reps: [], provenance: {} }));
    series.values.push(s.value);
    series.reps.push(typeof s.dims.rep === 'number' ? s.dims.rep : undefined);
    for (const p of PROVENANCE_DIMS) {
      const v = s.dims[p];
      if (v === undefined) continue;
      const seen = (series.provenance[p] ??= []);
      if (!seen.includes(String(v))) seen.push(String(v));
    }
  }
  return [...byKey.values()];
}

export interface SeriesPair {
  a: Series;
  b: Series;
}

export interface RunMatch {
  pairs: SeriesPair[];
  onlyA: Series[];
  onlyB: Series[];
}

/** Matches the series of two runs (A the baseline, B the run under test) by key. */
export function matchRuns(a: readonly Sample[], b: readonly Sample[], ignore: ReadonlySet<string>): RunMatch {
  const sa = groupSeries(a, ignore);
  const sb = new Map(groupSeries(b, ignore).map((s) => [s.key, s]));
  const pairs: SeriesPair[] = [];
  const onlyA: Series[] = [];
  for (const s of sa) {
    const other = sb.get(s.key);
    if (other) {
      pairs.push({ a: s, b: other });
      sb.delete(s.key);
    } else onlyA.push(s);
  }
  return { pairs, onlyA, onlyB: [...sb.values()] };
}

export interface ByMatch {
  pairs: (SeriesPair & { value: string })[];
  /** Series with no reference counterpart. */
  unmatched: Series[];
  /** Every value the `by` dimension takes. */
  values: string[];
}

/**
 * Within one run: for every group of series that differ only in dimension `by` (and what
 * follows from it), pairs the series where `by` is `reference` (A) with each other (B).
 */
export function matchBy(samples: readonly Sample[], by: string, reference: string, ignore: ReadonlySet<string>): ByMatch {
  const groupIgnore = new Set([...ignore, by, ...(FOLLOWS_FROM[by] ?? [])]);
  const groups = new Map<string, Map<string, Sample[]>>();
  const values = new Set<string>();
  for (const s of samples) {
    const v = s.dims[by];
    if (v === undefined) continue;
    values.add(String(v));
    const key = seriesKey(s, matchedDims(s.dims, groupIgnore));
    let group = groups.get(key);
    if (!group) groups.set(key, (group = new Map()));
    const list = group.get(String(v));
    if (list) list.push(s);
    else group.set(String(v), [s]);
  }
  const seriesIgnore = new Set([...ignore, ...(FOLLOWS_FROM[by] ?? [])]);
  const pairs: ByMatch['pairs'] = [];
  const unmatched: Series[] = [];
  for (const group of groups.values()) {
    const ref = group.get(reference);
    const a = ref ? groupSeries(ref, seriesIgnore)[0] : undefined;
    for (const [value, list] of group) {
      if (value === reference) continue;
      const b = groupSeries(list, seriesIgnore)[0]!;
      if (a) pairs.push({ a, b, value });
      else unmatched.push(b);
    }
  }
  return { pairs, unmatched, values: [...values].sort() };
}

/**
 * A short name for a series: `backend/workload p=v,…` and then any other dimension in
 * `extra` (dimensions that vary between the series shown together).
 */
export function seriesLabel(dims: Dims, extra: readonly string[] = []): string {
  const head = [dims.backend, dims.workload].filter((v) => v !== undefined).join('/');
  const params = Object.keys(dims)
    .filter((k) => k.startsWith('param.'))
    .map((k) => `${k.slice(6)}=${dims[k]}`)
    .join(',');
  const implied = new Set(FOLLOWS_FROM.backend);
  const rest = extra.filter((k) => k in dims && k !== 'backend' && k !== 'workload' && !k.startsWith('param.') && !implied.has(k)).map((k) => `${k}=${dims[k]}`);
  return [head, params, ...rest].filter((s) => s !== '').join(' ') || '(all)';
}

/** Dimensions whose value differs between some of the given series (for labels). */
export function varyingDims(list: readonly Dims[]): string[] {
  const keys = new Set(list.flatMap((d) => Object.keys(d)));
  return [...keys].filter((k) => new Set(list.map((d) => String(d[k]))).size > 1).sort();
}

/**
 * Why two sets of samples share no series: the matched dimensions whose values differ
 * between them, as `dim: a-values vs b-values` (for the error message).
 */
export function differingDims(a: readonly Sample[], b: readonly Sample[], ignore: ReadonlySet<string>): string[] {
  const values = (samples: readonly Sample[]) => {
    const map = new Map<string, Set<string>>();
    for (const s of samples) for (const [k, v] of Object.entries(matchedDims(s.dims, ignore))) (map.get(k) ?? map.set(k, new Set()).get(k)!).add(String(v));
    for (const k of ['metric']) map.set(k, new Set(samples.map((s) => s.metric)));
    return map;
  };
  const va = values(a);
  const vb = values(b);
  const show = (set: Set<string> | undefined) => (set ? [...set].sort().slice(0, 3).join(', ') + (set.size > 3 ? ', …' : '') : '(absent)');
  return [...new Set([...va.keys(), ...vb.keys()])]
    .sort()
    .filter((k) => {
      const x = va.get(k);
      const y = vb.get(k);
      return !x || !y || ![...x].some((v) => y.has(v));
    })
    .map((k) => `${k}: ${show(va.get(k))} vs ${show(vb.get(k))}`);
}
