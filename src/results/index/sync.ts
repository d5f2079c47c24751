import { readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { describeError } from '../../util/errors.ts';
import { readSamples } from '../samples-file.ts';
import type { Sample } from '../sample.ts';
import { openRun, RUN_FILE } from '../store.ts';
import { packSamples } from './packed.ts';
import { profileNumbers } from './profiles.ts';
import { all, hasIndex, type IndexDb, INDEX_DIR, withIndex } from './db.ts';

/**
 * Bringing the index up to date with the run folders. A folder is read again when its
 * run.json or samples file is not the file indexed (inode, size, modification and change
 * time); a folder gone (or without run.json now) is dropped; a new one is read. Reading goes
 * through the store's own readers (openRun, readSamples), so the index holds exactly what
 * they accept, with the same warnings, and a folder they refuse is kept as its error.
 */

/** Where a stored warning names its run folder: replaced by the folder as the reader spells it. */
const HERE = '\u0000run';

export interface SyncResult {
  /** Folders read (new or changed). */
  read: number;
  /** Folders dropped (removed, or no longer a run). */
  dropped: number;
  /** Folders indexed and unchanged. */
  kept: number;
}

interface IndexedSig {
  key: number;
  runSig: string;
  samplesSig: string;
  samplesFile: string | null;
}

/** The samples table's columns, as DuckDB's read_json is told them for a staging file. */
export const STAGING_COLUMNS =
  "{run_key: 'INTEGER', seq: 'INTEGER', metric: 'VARCHAR', value: 'DOUBLE', unit: 'VARCHAR', better: 'VARCHAR', ts: 'VARCHAR', dims: 'VARCHAR'}";

/** One line of a staging file: a samples row. */
export function stagingLine(key: number, seq: number, s: Sample): string {
  return `${JSON.stringify({ run_key: key, seq, metric: s.metric, value: s.value, unit: s.unit, better: s.better, ts: s.ts, dims: JSON.stringify(s.dims) })}\n`;
}

/** Rows buffered before they go to DuckDB in one statement (a staging file it reads itself). */
const BATCH_ROWS = 50_000;

/**
 * Updates the index of `outDir` from its run folders (every one, or those named in `only`).
 * Runs in one transaction: a process killed part-way leaves the index as it was.
 */
export async function syncIndex(db: IndexDb, options: { only?: readonly string[] } = {}): Promise<SyncResult> {
  const outDir = db.dir;
  const indexed = new Map<string, IndexedSig>();
  for (const [folder, key, runSig, samplesSig, samplesFile] of await all(db, 'SELECT folder, key, run_sig, samples_sig, samples_file FROM runs')) {
    indexed.set(String(folder), { key: Number(key), runSig: String(runSig), samplesSig: String(samplesSig), samplesFile: samplesFile as string | null });
  }
  const names = options.only ?? (await readdir(outDir)).filter((n) => n !== INDEX_DIR);
  const result: SyncResult = { read: 0, dropped: 0, kept: 0 };
  const stale: number[] = [];
  const toRead: { name: string; runSig: string }[] = [];
  // Every folder's files are looked at at once (the thread pool's stat calls overlap): checking
  // a thousand folders one stat after the other took most of a warm `history`'s index time.
  const checked = await Promise.all(
    names.map(async (name) => {
      const runDir = path.join(outDir, name);
      const have = indexed.get(name);
      const [runInfo, samplesSig] = await Promise.all([
        stat(path.join(runDir, RUN_FILE)).catch(() => undefined),
        have === undefined ? undefined : have.samplesFile === null ? 'none' : fileSig(path.join(runDir, have.samplesFile)),
      ]);
      return { name, have, runInfo, samplesSig };
    }),
  );
  for (const { name, have, runInfo, samplesSig } of checked) {
    if (!runInfo?.isFile()) {
      if (have) {
        stale.push(have.key);
        result.dropped++;
      }
      continue;
    }
    const runSig = signature(runInfo);
    if (have) {
      if (have.runSig === runSig && have.samplesSig === samplesSig) {
        result.kept++;
        continue;
      }
      stale.push(have.key);
    }
    toRead.push({ name, runSig });
  }
  if (!options.only) {
    const present = new Set(names);
    for (const [name, have] of indexed) {
      if (present.has(name)) continue;
      stale.push(have.key);
      result.dropped++;
    }
  }
  if (stale.length === 0 && toRead.length === 0) return result;
  const [[maxKey]] = (await all(db, 'SELECT coalesce(max(key), 0) FROM runs')) as [[number]];
  let nextKey = Number(maxKey) + 1;
  const profiles = await profileNumbers(db);
  const staging = path.join(outDir, INDEX_DIR, `staging-${process.pid}.jsonl`);
  const metricStaging = path.join(outDir, INDEX_DIR, `staging-${process.pid}-metrics.jsonl`);
  let lines: string[] = [];
  let metricLines: string[] = [];
  const flush = async () => {
    if (lines.length === 0) return;
    await writeFile(staging, lines.join(''));
    lines = [];
    await writeFile(metricStaging, metricLines.join(''));
    metricLines = [];
    await db.conn.run(
      "INSERT INTO run_metric SELECT run_key, metric, from_base64(samples) FROM read_json($1, format = 'newline_delimited', columns = {run_key: 'INTEGER', metric: 'VARCHAR', samples: 'VARCHAR'})",
      [metricStaging],
    );
    await db.conn.run(`INSERT INTO samples SELECT * FROM read_json($1, format = 'newline_delimited', columns = ${STAGING_COLUMNS})`, [staging]);
  };
  await db.conn.run('BEGIN TRANSACTION');
  try {
    if (stale.length > 0) {
      const keys = stale.join(', ');
      await db.conn.run(`DELETE FROM samples WHERE run_key IN (${keys})`);
      await db.conn.run(`DELETE FROM run_metric WHERE run_key IN (${keys})`);
      await db.conn.run(`DELETE FROM runs WHERE key IN (${keys})`);
    }
    for (const { name, runSig } of toRead) {
      const key = nextKey++;
      const read = await readFolder(outDir, name);
      await db.conn.run('INSERT INTO runs VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)', [
        key,
        name,
        read.id ?? null,
        read.suite ?? null,
        read.status ?? null,
        read.startedAt ?? null,
        read.endedAt ?? null,
        read.revision ?? null,
        read.dirty ?? null,
        JSON.stringify(read.hosts ?? []),
        read.samplesFile ?? null,
        runSig,
        read.samplesSig ?? 'none',
        read.suiteResolved === undefined ? null : JSON.stringify(read.suiteResolved),
        JSON.stringify(read.mergedShards ?? []),
        JSON.stringify(read.warnings.map((w) => w.split(path.join(outDir, name)).join(HERE))),
        read.error === undefined ? null : read.error.split(path.join(outDir, name)).join(HERE),
        read.samples.length,
      ]);
      read.samples.forEach((s, seq) => {
        lines.push(stagingLine(key, seq, s));
      });
      const byMetric = new Map<string, Sample[]>();
      for (const s of read.samples) {
        const list = byMetric.get(s.metric) ?? [];
        list.push(s);
        byMetric.set(s.metric, list);
      }
      for (const [metric, list] of byMetric) {
        const stored = await profiles.store(packSamples(metric, list));
        const packed = deflateRawSync(JSON.stringify(stored), { level: 1 }).toString('base64');
        metricLines.push(`${JSON.stringify({ run_key: key, metric, samples: packed })}\n`);
      }
      if (lines.length >= BATCH_ROWS) await flush();
      result.read++;
    }
    await flush();
    await db.conn.run('COMMIT');
  } catch (e) {
    await db.conn.run('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await rm(staging, { force: true });
    await rm(metricStaging, { force: true });
  }
  return result;
}

/** What the index keeps of one folder: the record's fields, the samples, or why it was refused. */
interface FolderRead {
  id?: string;
  suite?: string;
  status?: string;
  startedAt?: string;
  endedAt?: string;
  revision?: string;
  dirty?: boolean;
  hosts?: string[];
  samplesFile?: string;
  samplesSig?: string;
  suiteResolved?: unknown;
  mergedShards?: string[];
  warnings: string[];
  error?: string;
  samples: Sample[];
}

async function readFolder(outDir: string, name: string): Promise<FolderRead> {
  const runDir = path.join(outDir, name);
  const out: FolderRead = { warnings: [], samples: [] };
  try {
    const run = await openRun(runDir);
    const r = run.record;
    Object.assign(out, {
      id: run.id,
      suite: r.suite.name,
      status: r.status,
      startedAt: r.startedAt,
      ...(r.endedAt === undefined ? {} : { endedAt: r.endedAt }),
      revision: r.hvbench?.revision ?? 'unknown',
      ...(r.hvbench?.dirty ? { dirty: true } : {}),
      hosts: hostNames(r),
      samplesFile: r.samplesFile,
      suiteResolved: r.suite.resolved,
      mergedShards: (r.merged?.shards ?? []).map((m) => m.run),
    });
    // Taken before the read: a sample appended meanwhile makes the folder read again next time.
    out.samplesSig = await fileSig(path.join(runDir, r.samplesFile));
    const { samples, warnings } = await readSamples(run);
    out.samples = samples;
    out.warnings = warnings;
  } catch (e) {
    out.error = `${runDir}: skipped: ${describeError(e)}`;
    out.samples = [];
  }
  return out;
}

function hostNames(r: { hosts?: { name?: unknown }[]; cases?: { host?: unknown }[] }): string[] {
  const names = [...(r.hosts ?? []).map((h) => h?.name), ...(r.cases ?? []).map((c) => c?.host)];
  return [...new Set(names.filter((n): n is string => typeof n === 'string'))].sort();
}

function signature(info: { ino: number; size: number; mtimeMs: number; ctimeMs: number }): string {
  return `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
}

async function fileSig(file: string): Promise<string> {
  const info = await stat(file).catch(() => undefined);
  return info ? signature(info) : 'missing';
}

/** Puts a stored warning back in terms of the folder as the reader named it. */
export function localiseWarning(text: string, runDir: string): string {
  return text.split(HERE).join(runDir);
}

/**
 * Indexes one run folder of `outDir` (a run that just finished, a run `merge` just wrote).
 * The readers bring the index up to date by themselves; this only saves them the work.
 */
export async function indexRun(outDir: string, runDir: string): Promise<SyncResult> {
  const name = path.relative(outDir, runDir);
  if (name === '' || name.includes(path.sep) || name.startsWith('..')) {
    throw new Error(`${runDir}: expected a run folder directly under ${outDir}`);
  }
  return withIndex(outDir, (db) => syncIndex(db, { only: [name] }));
}

/**
 * After a run (or a merge) wrote `runDir`: updates the index of its results folder when that
 * folder has one (`hvbench index rebuild` makes it). Never fails the command that wrote the
 * run: a problem is passed to `warn`, and the next reader reads the folder itself anyway.
 */
export async function indexRunIfPresent(runDir: string, warn: (text: string) => void): Promise<void> {
  const outDir = path.dirname(path.resolve(runDir));
  if (!(await hasIndex(outDir))) return;
  try {
    await indexRun(outDir, path.resolve(runDir));
  } catch (e) {
    warn(`the results index of ${outDir} was not updated (${describeError(e)}); the next reader updates it`);
  }
}
