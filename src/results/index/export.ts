import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Sample } from '../sample.ts';
import { all, type IndexDb } from './db.ts';
import { STAGING_COLUMNS, stagingLine } from './sync.ts';

/**
 * Samples as a Parquet file, written by DuckDB itself: one row per sample, the columns of the
 * CSV export (ts, metric, value, unit, better, then every dimension, sorted; `dims.<key>` for a
 * dimension named like a fixed column), each dimension typed by the values it holds: BIGINT
 * when every value is an integer, DOUBLE for numbers, BOOLEAN, VARCHAR otherwise. pandas
 * (`read_parquet`), R (arrow) and DuckDB read it as it is.
 */

const FIXED = ['ts', 'metric', 'value', 'unit', 'better'];

/** From the index: the samples of the runs given (by key). */
export async function exportIndexParquet(db: IndexDb, runKeys: readonly number[], file: string): Promise<number> {
  const where = runKeys.length === 0 ? 'FALSE' : `run_key IN (${runKeys.map((k) => Math.trunc(k)).join(', ')})`;
  return copyParquet(db.conn, where, file);
}

/** From samples in memory (one run read from its folder): loaded into a DuckDB of its own first. */
export async function exportSamplesParquet(samples: readonly Sample[], file: string): Promise<number> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'hvbench-parquet-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  try {
    const staging = path.join(tmp, 'samples.jsonl');
    await writeFile(staging, samples.map((s, seq) => stagingLine(0, seq, s)).join(''));
    await conn.run('CREATE TABLE samples (run_key INTEGER, seq INTEGER, metric VARCHAR, value DOUBLE, unit VARCHAR, better VARCHAR, ts VARCHAR, dims VARCHAR)');
    if (samples.length > 0)
      await conn.run(`INSERT INTO samples SELECT * FROM read_json($1, format = 'newline_delimited', columns = ${STAGING_COLUMNS})`, [staging]);
    return await copyParquet(conn, 'TRUE', file);
  } finally {
    conn.closeSync();
    instance.closeSync();
    await rm(tmp, { recursive: true, force: true });
  }
}

type Conn = IndexDb['conn'];

/** The samples table's rows that `where` keeps. */
const source = (where: string) => `(SELECT * FROM samples WHERE ${where})`;

async function copyParquet(conn: Conn, where: string, file: string): Promise<number> {
  const db = { conn } as IndexDb;
  const types = await all(
    db,
    `SELECT key, list(DISTINCT json_type(json_extract(dims, '$."' || replace(key, '"', '\\"') || '"'))) FROM (SELECT dims, unnest(json_keys(dims)) AS key FROM ${source(where)}) GROUP BY key ORDER BY key`,
  );
  const columns = FIXED.map((c) => ident(c));
  for (const [key, kinds] of types) {
    const name = String(key);
    const pathLit = literal(`$."${name.replaceAll('"', '\\"')}"`);
    const set = new Set((kinds as (string | null)[]).filter((k): k is string => k !== null));
    const alias = ident(FIXED.includes(name) ? `dims.${name}` : name);
    const isIn = (allowed: string[]) => set.size > 0 && [...set].every((k) => allowed.includes(k));
    const expr = isIn(['BIGINT', 'UBIGINT'])
      ? `CAST(json_extract(dims, ${pathLit}) AS BIGINT)`
      : isIn(['BIGINT', 'UBIGINT', 'DOUBLE'])
        ? `CAST(json_extract(dims, ${pathLit}) AS DOUBLE)`
        : isIn(['BOOLEAN'])
          ? `CAST(json_extract(dims, ${pathLit}) AS BOOLEAN)`
          : `json_extract_string(dims, ${pathLit})`;
    columns.push(`${expr} AS ${alias}`);
  }
  const [[count]] = (await all(db, `SELECT count(*) FROM ${source(where)}`)) as [[number | bigint]];
  await conn.run(`COPY (SELECT ${columns.join(', ')} FROM ${source(where)} ORDER BY run_key, seq) TO ${literal(file)} (FORMAT parquet)`);
  return Number(count);
}

/** A SQL identifier: double quotes, an inner one doubled (dimension names come from the samples). */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A SQL string literal, an inner quote doubled. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
