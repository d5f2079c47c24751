import type { Better, Dims, Sample } from '../sample.ts';

/**
 * One run's samples of one metric as the index keeps them for `history`: columns instead of
 * objects. The dimensions of a run's samples repeat from sample to sample except the
 * repetition and its sequence number, so each distinct set of the others (a profile: unit,
 * direction and dimensions, with the order of the dimensions' keys) is stored once, and each
 * sample is its profile's number, its value, and its own `rep` and `seq`. A reader groups
 * profiles (a few per case) instead of samples, and parses a tenth of the JSON. Nothing is
 * lost: `unpackSamples` gives back the samples, their order and their keys' order included.
 */

/** The dimensions kept per sample rather than in the profile: they differ from one sample to the next. */
export const ROW_DIMS: readonly string[] = ['rep', 'seq'];

export interface SampleProfile {
  unit: string;
  better: Better;
  /** The dimensions other than ROW_DIMS. */
  dims: Dims;
  /** Every key of the samples' dimensions (ROW_DIMS included), in their order. */
  keys: string[];
}

export interface PackedSamples {
  metric: string;
  profiles: SampleProfile[];
  /** Per sample, in the order of the samples file: its profile (an index into `profiles`). */
  profile: number[];
  value: number[];
  /** Per sample, the value of each of ROW_DIMS its profile has (absent keys hold null). */
  rows: Record<string, (string | number | boolean | null)[]>;
  /** Distinct times, and per sample an index into them. */
  times: string[];
  ts: number[];
}

/** The samples (all of one metric) as columns. */
export function packSamples(metric: string, samples: readonly Sample[]): PackedSamples {
  const out: PackedSamples = { metric, profiles: [], profile: [], value: [], rows: {}, times: [], ts: [] };
  const profiles = new Map<string, number>();
  const times = new Map<string, number>();
  for (const row of ROW_DIMS) out.rows[row] = [];
  for (const s of samples) {
    if (s.metric !== metric) throw new Error(`packSamples: a sample of ${s.metric} among those of ${metric}`);
    const keys = Object.keys(s.dims);
    const dims: Dims = {};
    for (const k of keys) if (!ROW_DIMS.includes(k)) dims[k] = s.dims[k]!;
    const id = JSON.stringify([s.unit, s.better, keys, dims]);
    let p = profiles.get(id);
    if (p === undefined) {
      p = out.profiles.push({ unit: s.unit, better: s.better, dims, keys }) - 1;
      profiles.set(id, p);
    }
    out.profile.push(p);
    out.value.push(s.value);
    for (const row of ROW_DIMS) out.rows[row]!.push(s.dims[row] ?? null);
    let t = times.get(s.ts);
    if (t === undefined) {
      t = out.times.push(s.ts) - 1;
      times.set(s.ts, t);
    }
    out.ts.push(t);
  }
  for (const row of ROW_DIMS) if (out.rows[row]!.every((v) => v === null)) delete out.rows[row];
  return out;
}

/** The value of dimension `key` of sample `i` (undefined when it has none). */
export function packedDim(packed: PackedSamples, i: number, key: string): string | number | boolean | undefined {
  if (!ROW_DIMS.includes(key)) return packed.profiles[packed.profile[i]!]!.dims[key];
  return packed.rows[key]?.[i] ?? undefined;
}

/** The samples back, as the store's reader gave them. */
export function unpackSamples(packed: PackedSamples): Sample[] {
  return packed.value.map((value, i) => {
    const p = packed.profiles[packed.profile[i]!]!;
    const dims: Dims = {};
    for (const k of p.keys) dims[k] = ROW_DIMS.includes(k) ? packed.rows[k]![i]! : p.dims[k]!;
    return { metric: packed.metric, value, unit: p.unit, better: p.better, dims, ts: packed.times[packed.ts[i]!]! };
  });
}
