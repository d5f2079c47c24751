import type { Better, Dims, Sample } from '../sample.ts';

/**
 * One run's samples of one metric as the index keeps them for `history`: columns instead of
 * objects. The dimensions of a run's samples repeat from sample to sample except the
 * repetition and its sequence number, so each distinct set of the others (a profile: unit,
 * direction and dimensions, with the order of the dimensions' keys) is stored once, and each
 * sample is its profile's number, its value, and its own `rep` and `seq`. The run id (the
 * `run` dimension) is kept once per run, not in the profile: so the nightly runs of a suite
 * share their profiles, which the index stores once for all runs (a table of their own), and
 * a reader groups a few profiles instead of every sample. Nothing is lost: `unpackSamples`
 * gives back the samples, their order and their keys' order included.
 */

/** The dimensions kept per sample rather than in the profile: they differ from one sample to the next. */
export const ROW_DIMS: readonly string[] = ['rep', 'seq'];
/** The dimension kept once per run: a profile without it in `dims` but in `keys` has the run's. */
export const RUN_DIM = 'run';

export interface SampleProfile {
  unit: string;
  better: Better;
  /** The dimensions other than ROW_DIMS, and than RUN_DIM when it is the run's. */
  dims: Dims;
  /** Every key of the samples' dimensions (ROW_DIMS included), in their order. */
  keys: string[];
}

export interface PackedSamples {
  metric: string;
  /** The value of RUN_DIM of the profiles that leave it out (null when none does). */
  run: string | null;
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
  const first = samples[0]?.dims[RUN_DIM];
  const out: PackedSamples = { metric, run: typeof first === 'string' ? first : null, profiles: [], profile: [], value: [], rows: {}, times: [], ts: [] };
  const profiles = new Map<string, number>();
  const times = new Map<string, number>();
  for (const row of ROW_DIMS) out.rows[row] = [];
  for (const s of samples) {
    if (s.metric !== metric) throw new Error(`packSamples: a sample of ${s.metric} among those of ${metric}`);
    const keys = Object.keys(s.dims);
    const dims: Dims = {};
    for (const k of keys) if (!ROW_DIMS.includes(k) && !(k === RUN_DIM && s.dims[k] === out.run)) dims[k] = s.dims[k]!;
    const id = profileId({ unit: s.unit, better: s.better, dims, keys });
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

/** A profile as text: equal for equal profiles (how the index finds one it has). */
export function profileId(p: SampleProfile): string {
  return JSON.stringify([p.unit, p.better, p.keys, p.dims]);
}

/** The value of dimension `key` of the samples of profile `p` other than ROW_DIMS. */
export function profileDim(packed: PackedSamples, p: SampleProfile, key: string): string | number | boolean | undefined {
  return key === RUN_DIM && !Object.hasOwn(p.dims, RUN_DIM) && p.keys.includes(RUN_DIM) ? (packed.run ?? undefined) : p.dims[key];
}

/** The value of dimension `key` of sample `i` (undefined when it has none). */
export function packedDim(packed: PackedSamples, i: number, key: string): string | number | boolean | undefined {
  if (!ROW_DIMS.includes(key)) return profileDim(packed, packed.profiles[packed.profile[i]!]!, key);
  return packed.rows[key]?.[i] ?? undefined;
}

/** The samples back, as the store's reader gave them. */
export function unpackSamples(packed: PackedSamples): Sample[] {
  return packed.value.map((value, i) => {
    const p = packed.profiles[packed.profile[i]!]!;
    const dims: Dims = {};
    for (const k of p.keys) dims[k] = ROW_DIMS.includes(k) ? packed.rows[k]![i]! : profileDim(packed, p, k)!;
    return { metric: packed.metric, value, unit: p.unit, better: p.better, dims, ts: packed.times[packed.ts[i]!]! };
  });
}
