import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { HvbError } from '../../util/errors.ts';

/**
 * The results index: one DuckDB file in the results folder (`<out>/.hvbench-index/`)
 * holding every run's record fields and every sample, so that `history` over months of
 * nightly runs asks one query instead of parsing thousands of folders. The run folders stay
 * the source of truth: the index can always be removed and built again from them.
 */

export const INDEX_DIR = '.hvbench-index';
export const INDEX_FILE = 'index.duckdb';
/** Bumped when a table changes: an index of another format is built again, never read. */
export const INDEX_FORMAT = '6';

const SCHEMA = [
  'CREATE TABLE meta (key VARCHAR, value VARCHAR)',
  // One row per folder holding a run.json: `error` set when it could not be read (kept so the
  // reader says so again without reading it again, until it changes).
  `CREATE TABLE runs (
    key INTEGER, folder VARCHAR, id VARCHAR, suite VARCHAR, status VARCHAR, started_at VARCHAR, ended_at VARCHAR,
    revision VARCHAR, dirty BOOLEAN, hosts VARCHAR, samples_file VARCHAR, run_sig VARCHAR, samples_sig VARCHAR,
    suite_resolved VARCHAR, merged_shards VARCHAR, warnings VARCHAR, error VARCHAR, sample_count INTEGER)`,
  // Samples in the order of the file (seq): statistics drawn with a seed depend on the order.
  'CREATE TABLE samples (run_key INTEGER, seq INTEGER, metric VARCHAR, value DOUBLE, unit VARCHAR, better VARCHAR, ts VARCHAR, dims VARCHAR)',
  // And each run's samples of one metric as columns (packed.ts), JSON, deflated: what history
  // asks for. One string per run parsed by JSON.parse is 10x faster than reading the values
  // one by one through the bindings; as columns, the dimensions repeated by every sample are
  // parsed once per case; deflated, it takes a tenth of the space (DuckDB leaves long strings
  // uncompressed).
  'CREATE TABLE run_metric (run_key INTEGER, metric VARCHAR, samples BLOB)',
  // The profiles those name by number (profiles.ts): the nightly runs of a suite share theirs.
  'CREATE TABLE profiles (id INTEGER, body VARCHAR)',
];

/** An open index; `close` releases the file (one process writes it at a time). */
export interface IndexDb {
  dir: string;
  file: string;
  conn: DuckDBConnection;
  close(): void;
}

export function indexFile(outDir: string): string {
  return path.join(outDir, INDEX_DIR, INDEX_FILE);
}

/** Whether the results folder has an index (the readers use it only then). */
export async function hasIndex(outDir: string): Promise<boolean> {
  return (await stat(indexFile(outDir)).catch(() => undefined))?.isFile() === true;
}

/**
 * Opens (or creates) the index of `outDir`. An index made for another folder (it was copied
 * with the results, so its paths and file identities are someone else's), of another format,
 * or that DuckDB cannot open is removed and made anew: nothing in it is worth more than a
 * rebuild. Another hvbench process holding the file is waited for a little, then an error
 * (`index-busy`) the callers turn into reading the folders.
 */
export async function openIndex(outDir: string, options: { fresh?: boolean } = {}): Promise<IndexDb> {
  const dir = path.join(outDir, INDEX_DIR);
  const file = path.join(dir, INDEX_FILE);
  const identity = await folderIdentity(outDir);
  await mkdir(dir, { recursive: true });
  if (options.fresh) await removeFiles(file);
  const db = await connect(outDir, file).catch(async (e: unknown) => {
    if (e instanceof HvbError) throw e;
    await removeFiles(file); // not a DuckDB file of ours: made anew
    return connect(outDir, file);
  });
  if (await matches(db, identity).catch(() => false)) return db;
  db.close();
  await removeFiles(file);
  const made = await connect(outDir, file);
  for (const ddl of SCHEMA) await made.conn.run(ddl);
  await made.conn.run('INSERT INTO meta VALUES ($1, $2), ($3, $4)', ['format', INDEX_FORMAT, 'folder', identity]);
  return made;
}

/** Opens the file, waiting up to 2 s for another process that holds it. */
async function connect(outDir: string, file: string): Promise<IndexDb> {
  for (let attempt = 0; ; attempt++) {
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(file, { threads: '2', memory_limit: '1GB' });
    } catch (e) {
      const message = (e as Error).message;
      if (!/lock/i.test(message)) throw e;
      if (attempt < 10) {
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      throw new HvbError('index-busy', `${file}: in use by another hvbench process (${message.split('\n')[0]})`, { cause: e });
    }
    const conn = await instance.connect();
    return {
      dir: outDir,
      file,
      conn,
      close: () => {
        conn.closeSync();
        instance.closeSync();
      },
    };
  }
}

async function matches(db: IndexDb, identity: string): Promise<boolean> {
  const rows = await all(db, 'SELECT key, value FROM meta');
  const meta = new Map(rows.map((r) => [String(r[0]), String(r[1])]));
  return meta.get('format') === INDEX_FORMAT && meta.get('folder') === identity;
}

/** The results folder's real path, device and inode: a copy of the folder is another folder. */
async function folderIdentity(outDir: string): Promise<string> {
  const info = await stat(outDir).catch((e: NodeJS.ErrnoException) => {
    throw new HvbError('usage', `${outDir}: cannot read the results folder (${e.code ?? e.message})`, {
      hint: 'give the folder that holds the run folders, e.g. results',
    });
  });
  if (!info.isDirectory()) throw new HvbError('usage', `${outDir}: expected the results folder, found a file`);
  return JSON.stringify([path.resolve(outDir), info.dev, info.ino]);
}

async function removeFiles(file: string): Promise<void> {
  await rm(file, { force: true });
  await rm(`${file}.wal`, { force: true });
}

/** Every row of a query, values as plain JS (numbers, strings, booleans, null). */
export async function all(db: IndexDb, sql: string, params?: DuckDBValue[]): Promise<unknown[][]> {
  const reader = await db.conn.runAndReadAll(sql, params);
  return reader.getRowsJS() as unknown[][];
}

/**
 * Runs `fn` with the index of `outDir` open, and closes it after. Callers that can do
 * without (a reader with the folders at hand) catch `index-busy`.
 */
export async function withIndex<T>(outDir: string, fn: (db: IndexDb) => Promise<T>, options: { fresh?: boolean } = {}): Promise<T> {
  const db = await openIndex(outDir, options);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}
