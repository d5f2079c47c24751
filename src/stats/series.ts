import {
  dimDef,
  isDeviceDim,
  isFact,
  isMatched,
  PROVENANCE_DIMS as CATALOGUE_PROVENANCE,
  RUN_DIMS,
  VARIANT_DIMS,
  variantOf,
  type MatchMode,
} from '../dims/catalogue.ts';
import type { Better, Dims, Sample } from '../results/sample.ts';
import { isSignedMetric } from '../results/value-range.ts';

/**
 * Series: the values of one metric that belong together. Which dimensions take part in
 * the match is decided by the catalogue of dimensions (src/dims/catalogue.ts): the
 * configuration and the variant always; the host between runs. Dimensions that follow
 * from the variant are kept as facts of the series (a value that differs between
 * repetitions is a note, never a second series); provenance is collected to be reported
 * when it differs.
 */

/** Run-specific dimensions (never matched). */
export const RUN_SPECIFIC_DIMS: readonly string[] = RUN_DIMS;
/** Versions of what is under test: never matched; reported when they differ. */
export const PROVENANCE_DIMS: readonly string[] = CATALOGUE_PROVENANCE;
/** Never matched by their role; the user's `--ignore` adds to these. */
export const DEFAULT_IGNORED_DIMS: readonly string[] = [...RUN_DIMS, ...CATALOGUE_PROVENANCE];
/**
 * Comparing by a configuration dimension: the dimensions that follow from it (so
 * `--by io --reference paravirtual` pairs virtio with IDE and e1000).
 */
export const FOLLOWS_FROM: Readonly<Record<string, readonly string[]>> = {
  io: ['param.io', 'param.device', 'disk_model', 'nic_model'],
  disk_model: ['param.io', 'param.device', 'io'],
  nic_model: ['param.io', 'param.device', 'io'],
};

export interface Series {
  key: string;
  metric: string;
  unit: string;
  better: Better;
  /** The matched dimensions (configuration and variant; host between runs). */
  dims: Dims;
  values: number[];
  /** The `rep` dimension of each value, when present (for outlier messages). */
  reps: (number | undefined)[];
  /** Values seen for each provenance dimension. */
  provenance: Record<string, string[]>;
  /** Values seen for each dimension that follows from the variant (accel, clocksource, …). */
  facts: Record<string, string[]>;
  /** The cases (dimension `case`) its samples came from, for their equivalence manifests. */
  cases?: string[];
}

/** The dims that take part in the match. */
export function matchedDims(dims: Dims, ignore: ReadonlySet<string>, mode: MatchMode = 'runs'): Dims {
  const out: Dims = {};
  for (const k of Object.keys(dims).sort()) if (!ignore.has(k) && isMatched(k, mode)) out[k] = dims[k]!;
  return out;
}

export function seriesKey(s: Pick<Sample, 'metric' | 'unit' | 'better'>, dims: Dims): string {
  return JSON.stringify([s.metric, s.unit, s.better, Object.entries(dims)]);
}

/** Groups samples into series, in order of first appearance; signed readings (clock drift) are never a series. */
export function groupSeries(samples: readonly Sample[], ignore: ReadonlySet<string> = new Set(DEFAULT_IGNORED_DIMS), mode: MatchMode = 'runs'): Series[] {
  const byKey = new Map<string, Series>();
  for (const s of samples) {
    if (isSignedMetric(s.metric)) continue;
    const dims = matchedDims(s.dims, ignore, mode);
    const key = seriesKey(s, dims);
    let series = byKey.get(key);
    if (!series) byKey.set(key, (series = { key, metric: s.metric, unit: s.unit, better: s.better, dims, values: [], reps: [], provenance: {}, facts: {} }));
    series.values.push(s.value);
    series.reps.push(typeof s.dims.rep === 'number' ? s.dims.rep : undefined);
    const caseId = s.dims.case;
    if (typeof caseId === 'string' && !(series.cases ??= []).includes(caseId)) series.cases.push(caseId);
    for (const [k, v] of Object.entries(s.dims)) {
      const into = PROVENANCE_DIMS.includes(k) ? series.provenance : isFact(k, mode) || (ignore.has(k) && dimDef(k).role !== 'run') ? series.facts : undefined;
      if (!into) continue;
      const seen = (into[k] ??= []);
      if (!seen.includes(String(v))) seen.push(String(v));
    }
  }
  return [...byKey.values()];
}

/** Facts that took more than one value within a series: `guest_clocksource: tsc-early, tsc`. */
export function varyingFacts(series: Pick<Series, 'facts'>): string[] {
  return Object.entries(series.facts)
    .filter(([, values]) => values.length > 1)
    .map(([k, values]) => `${dimDef(k).label}: ${values.join(', ')}`);
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
  pairs: (SeriesPair & { value: string; deviceless?: true })[];
  /** Series with no reference counterpart. */
  unmatched: Series[];
  /** Every value the `by` dimension takes. */
  values: string[];
}

/**
 * The value a sample has for `by`. The backend stands for the whole variant (`xen pvh`), so
 * `--by backend` puts Xen's guest types beside the other backends; another variant
 * dimension (`guest_type`) is compared by its own values within its backend.
 */
export function byValue(dims: Dims, by: string): string | undefined {
  if (dims[by] === undefined) return undefined;
  return by === VARIANT_DIMS[0] ? variantOf(dims) : String(dims[by]);
}

/**
 * A series without a device of its own (native: `io` is `none`, its disk a file of the host):
 * it is the reference for every device model of its configuration.
 */
export function isDeviceless(dims: Dims): boolean {
  return dims.io === 'none';
}

/** The configuration without the device dimensions: what a deviceless reference is matched on. */
export function withoutDevice(dims: Dims): Dims {
  const out: Dims = {};
  for (const k of Object.keys(dims)) if (!isDeviceDim(k)) out[k] = dims[k]!;
  return out;
}

/**
 * Within one run: for every group of series that differ only in dimension `by` (and what
 * follows from it), pairs the series where `by` is `reference` (A) with each other (B).
 * Comparing by a variant dimension (backend), the values are whole variants (`xen pvh`),
 * and a reference without a device (native) is the reference of every device model.
 */
export function matchBy(samples: readonly Sample[], by: string, reference: string, ignore: ReadonlySet<string>): ByMatch {
  const isVariant = VARIANT_DIMS.includes(by);
  const wholeVariant = by === VARIANT_DIMS[0];
  const seriesIgnore = new Set([...ignore, ...(isVariant ? [] : (FOLLOWS_FROM[by] ?? []))]);
  const dropFromGroup = new Set([by, ...(wholeVariant ? VARIANT_DIMS : isVariant ? [] : (FOLLOWS_FROM[by] ?? []))]);
  const values = new Set<string>();
  const withValue: { value: string; series: Series }[] = [];
  const bySeries = new Map<string, Sample[]>();
  const valueBySeries = new Map<string, string>();
  for (const s of samples) {
    const v = byValue(s.dims, by);
    if (v === undefined || isSignedMetric(s.metric)) continue;
    values.add(v);
    const key = seriesKey(s, matchedDims(s.dims, seriesIgnore, 'within'));
    (bySeries.get(key) ?? bySeries.set(key, []).get(key)!).push(s);
    valueBySeries.set(key, v);
  }
  for (const [key, list] of bySeries) withValue.push({ value: valueBySeries.get(key)!, series: groupSeries(list, seriesIgnore, 'within')[0]! });
  const groupKey = (s: Series, device: boolean) => {
    const d: Dims = {};
    for (const k of Object.keys(s.dims)) if (!dropFromGroup.has(k) && (device || !isDeviceDim(k))) d[k] = s.dims[k]!;
    return seriesKey(s, d);
  };
  const refs = new Map<string, Series>();
  const devicelessRefs = new Map<string, Series>();
  for (const { value, series } of withValue) {
    if (value !== reference) continue;
    refs.set(groupKey(series, true), series);
    if (isDeviceless(series.dims)) devicelessRefs.set(groupKey(series, false), series);
  }
  const pairs: ByMatch['pairs'] = [];
  const unmatched: Series[] = [];
  for (const { value, series } of withValue) {
    if (value === reference) continue;
    const exact = refs.get(groupKey(series, true));
    const deviceless = exact ? undefined : devicelessRefs.get(groupKey(series, false));
    if (exact) pairs.push({ a: exact, b: series, value });
    else if (deviceless) pairs.push({ a: deviceless, b: series, value, deviceless: true });
    else unmatched.push(series);
  }
  return { pairs, unmatched, values: [...values].sort() };
}

/**
 * A short name for a series: `variant/workload p=v,…` and then any other matched
 * dimension in `extra` (dimensions that vary between the series shown together).
 */
export function seriesLabel(dims: Dims, extra: readonly string[] = []): string {
  const variant = VARIANT_DIMS.some((d) => dims[d] !== undefined) ? variantOf(dims).replace(' ', ':') : undefined;
  const head = [variant, dims.workload].filter((v) => v !== undefined).join('/');
  const params = Object.keys(dims)
    .filter((k) => k.startsWith('param.'))
    .map((k) => `${k.slice(6)}=${dims[k]}`)
    .join(',');
  // A dimension that repeats a parameter (`io` beside `param.io`) is not named twice.
  const rest = extra
    .filter(
      (k) => k in dims && !VARIANT_DIMS.includes(k) && k !== 'workload' && !k.startsWith('param.') && !isFact(k, 'within') && dims[`param.${k}`] !== dims[k],
    )
    .map((k) => `${k}=${dims[k]}`);
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
