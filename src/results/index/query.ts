import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { Better, Dims, Sample } from '../sample.ts';
import { all, type IndexDb } from './db.ts';
import { type PackedSamples, unpackSamples } from './packed.ts';
import { type StoredPacked, withProfiles } from './profiles.ts';
import { localiseWarning } from './sync.ts';

/** Reading the index back: runs in folder order, and samples as the store's readers give them. */

/** A folder as indexed: a run (its record's fields), or the reason it was refused. */
export interface IndexedRun {
  key: number;
  folder: string;
  /** The folder as the caller names it: `<results-dir>/<folder>`. */
  dir: string;
  id?: string;
  suite?: string;
  status?: string;
  startedAt?: string;
  endedAt?: string;
  revision?: string;
  dirty?: boolean;
  hosts: string[];
  suiteResolved?: unknown;
  /** Run ids of the shards this run was merged from (`hvbench merge`). */
  mergedShards: string[];
  /** What reading its samples warned of, in the reader's words. */
  warnings: string[];
  /** `<dir>: skipped: …` when the store's readers refused the folder. */
  error?: string;
  sampleCount: number;
}

/** Every indexed folder, by folder name (the order in which a scan reads them). */
export async function indexedRuns(db: IndexDb, resultsDir: string): Promise<IndexedRun[]> {
  const rows = await all(
    db,
    'SELECT key, folder, id, suite, status, started_at, ended_at, revision, dirty, hosts, suite_resolved, merged_shards, warnings, error, sample_count FROM runs ORDER BY folder',
  );
  return rows.map(([key, folder, id, suite, status, startedAt, endedAt, revision, dirty, hosts, resolved, merged, warnings, error, count]) => {
    const dir = path.join(resultsDir, String(folder));
    const run: IndexedRun = {
      key: Number(key),
      folder: String(folder),
      dir,
      hosts: JSON.parse(String(hosts)) as string[],
      mergedShards: JSON.parse(String(merged)) as string[],
      warnings: (JSON.parse(String(warnings)) as string[]).map((w) => localiseWarning(w, dir)),
      sampleCount: Number(count),
    };
    if (id !== null) run.id = String(id);
    if (suite !== null) run.suite = String(suite);
    if (status !== null) run.status = String(status);
    if (startedAt !== null) run.startedAt = String(startedAt);
    if (endedAt !== null) run.endedAt = String(endedAt);
    if (revision !== null) run.revision = String(revision);
    if (dirty === true) run.dirty = true;
    if (resolved !== null) run.suiteResolved = JSON.parse(String(resolved));
    if (error !== null) run.error = localiseWarning(String(error), dir);
    return run;
  });
}

/**
 * The samples of the given runs (all metrics, or one), each run's in the order of its file.
 * Returned by run key.
 */
export async function indexedSamples(db: IndexDb, runKeys: readonly number[], metric?: string): Promise<Map<number, Sample[]>> {
  const out = new Map<number, Sample[]>(runKeys.map((k) => [k, []]));
  if (runKeys.length === 0) return out;
  const keys = `run_key IN (${runKeys.map((k) => Math.trunc(k)).join(', ')})`;
  if (metric !== undefined) {
    for (const [key, packed] of await indexedMetricSamples(db, runKeys, metric)) out.set(key, unpackSamples(packed));
    return out;
  }
  const reader = await db.conn.runAndReadAll(`SELECT run_key, metric, value, unit, better, dims, ts FROM samples WHERE ${keys} ORDER BY run_key, seq`);
  const cols = reader.getColumnsJS() as unknown[][];
  if (cols.length === 0) return out; // no rows: no columns either
  const [runs, metrics, values, units, betters, dims, tss] = cols as [number[], string[], number[], string[], Better[], string[], string[]];
  for (let i = 0; i < runs.length; i++) {
    out.get(runs[i]!)?.push({ metric: metrics[i]!, value: values[i]!, unit: units[i]!, better: betters[i]!, dims: JSON.parse(dims[i]!) as Dims, ts: tss[i]! });
  }
  return out;
}

/**
 * The samples of one metric of the given runs, as columns (packed.ts), by run key; a run
 * without samples of the metric is left out. One deflated JSON value per run, parsed at once:
 * far faster than value by value.
 */
export async function indexedMetricSamples(db: IndexDb, runKeys: readonly number[], metric: string): Promise<Map<number, PackedSamples>> {
  if (runKeys.length === 0) return new Map();
  const keys = `run_key IN (${runKeys.map((k) => Math.trunc(k)).join(', ')})`;
  const stored = new Map<number, StoredPacked>();
  for (const [key, packed] of await all(db, `SELECT run_key, samples FROM run_metric WHERE ${keys} AND metric = $1`, [metric])) {
    stored.set(Number(key), JSON.parse(inflateRawSync(packed as Uint8Array).toString('utf8')) as StoredPacked);
  }
  return withProfiles(db, stored);
}

/** Every metric the given runs have, sorted. */
export async function indexedMetricNames(db: IndexDb, runKeys: readonly number[]): Promise<string[]> {
  if (runKeys.length === 0) return [];
  const rows = await all(db, `SELECT DISTINCT metric FROM run_metric WHERE run_key IN (${runKeys.map((k) => Math.trunc(k)).join(', ')})`);
  return rows.map(([m]) => String(m)).sort();
}
