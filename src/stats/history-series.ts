import { isMatched } from '../dims/catalogue.ts';
import { packedDim, profileDim, ROW_DIMS, RUN_DIM, type PackedSamples, type SampleProfile } from '../results/index/packed.ts';
import type { Dims } from '../results/sample.ts';
import { isSignedMetric } from '../results/value-range.ts';
import { PROVENANCE_DIMS, type Series, seriesKey } from './series.ts';

/**
 * One run's series of one metric, for `history`: what groupSeries gives (series.ts, matching
 * between runs), from the samples as columns. The work is done once per profile (a distinct
 * set of dimensions: a few per case; from the index, once for all the runs that share it)
 * instead of once per sample, which over a thousand runs was most of what history spent
 * before its statistics.
 */

/** A series of one run, as groupSeries makes it (values in file order, provenance in the order first seen), without what history does not show. */
export type RunSeries = Pick<Series, 'key' | 'metric' | 'unit' | 'better' | 'dims' | 'values' | 'provenance'>;

/** `<dim>=<value>` filters: a sample is kept when String(its value) equals the value of each. */
export type Where = readonly (readonly [string, string])[];

/**
 * What grouping one run learnt that the next can use: the matched keys of each list of keys,
 * and the series of each profile (from the index, the runs that share a profile share the
 * object). One memo serves one metric and one set of ignored dimensions.
 */
export interface GroupMemo {
  matched: Map<string, string[]>;
  series: Map<SampleProfile, { dims: Dims; key: string; provenance: string[] }>;
}

export function groupMemo(): GroupMemo {
  return { matched: new Map(), series: new Map() };
}

export function groupPacked(packed: PackedSamples, ignore: ReadonlySet<string>, where: Where = [], memo: GroupMemo = groupMemo()): RunSeries[] {
  if (isSignedMetric(packed.metric)) return [];
  const rowWhere = where.filter(([k]) => ROW_DIMS.includes(k));
  const seriesOf = (p: SampleProfile) => {
    let known = memo.series.get(p);
    if (known === undefined) {
      const dims: Dims = {};
      for (const k of matchedKeys(p.keys, ignore, memo.matched)) dims[k] = p.dims[k]!;
      const key = seriesKey({ metric: packed.metric, unit: p.unit, better: p.better }, dims);
      known = { dims, key, provenance: p.keys.filter((k) => PROVENANCE_DIMS.includes(k)) };
      memo.series.set(p, known);
    }
    return known;
  };
  // Per profile of this run: what the memo knows of it (undefined when --where leaves it out), and its series once it has one.
  const known = packed.profiles.map((p) => (where.every(([k, v]) => ROW_DIMS.includes(k) || String(profileDim(packed, p, k)) === v) ? seriesOf(p) : undefined));
  const into: (number[] | undefined)[] = known.map(() => undefined);
  const byKey = new Map<string, RunSeries>();
  const { profile, value } = packed;
  for (let i = 0; i < value.length; i++) {
    const at = profile[i]!;
    const values = into[at];
    if (values !== undefined && rowWhere.length === 0) {
      values.push(value[i]!);
      continue;
    }
    const info = known[at];
    if (info === undefined || (rowWhere.length > 0 && !rowWhere.every(([k, v]) => String(packedDim(packed, i, k)) === v))) continue;
    if (values !== undefined) {
      values.push(value[i]!);
      continue;
    }
    // The profile's first sample: its series (new, or another profile's), and its provenance,
    // the same for each of its samples.
    const p = packed.profiles[at]!;
    let series = byKey.get(info.key);
    if (!series)
      byKey.set(info.key, (series = { key: info.key, metric: packed.metric, unit: p.unit, better: p.better, dims: info.dims, values: [], provenance: {} }));
    into[at] = series.values;
    series.values.push(value[i]!);
    for (const k of info.provenance) {
      const seen = (series.provenance[k] ??= []);
      const v = String(profileDim(packed, p, k));
      if (!seen.includes(v)) seen.push(v);
    }
  }
  return [...byKey.values()];
}

/** As matchedDims (series.ts) chooses them, between runs. */
function matchedKeys(keys: readonly string[], ignore: ReadonlySet<string>, memo: Map<string, string[]>): string[] {
  const id = keys.join('\u0000');
  let matched = memo.get(id);
  if (matched === undefined) {
    matched = [...keys].sort().filter((k) => !ignore.has(k) && isMatched(k, 'runs'));
    const row = matched.find((k) => ROW_DIMS.includes(k) || k === RUN_DIM);
    if (row !== undefined) throw new Error(`history: dimension ${row} is kept apart from the profile in the index, but takes part in the match`);
    memo.set(id, matched);
  }
  return matched;
}
