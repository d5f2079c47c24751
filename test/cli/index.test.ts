import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerCompare } from '../../src/cli/commands/compare.ts';
import { registerExport } from '../../src/cli/commands/export.ts';
import { registerHistory } from '../../src/cli/commands/history.ts';
import { registerIndex } from '../../src/cli/commands/index.ts';
import { registerReport } from '../../src/cli/commands/report.ts';
import { exitCodeOf } from '../../src/cli/exit-codes.ts';
import { hasIndex } from '../../src/results/index/db.ts';
import { REAL_RUNS } from '../support/real-runs.ts';

// The real runs in a results folder, with a copy of one (the same run id twice) and a damaged
// folder, read by history, compare and export with and without the results index.

const FIXTURES = ['io-paths-native-tcg', 'kvm-lab', 'native-tcg-local', 'native-tcg-local-2', 'xen-lab-pv-pvh'];
let root: string;
let dir: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hvb-index-cli-'));
  dir = path.join(root, 'results');
  for (const f of FIXTURES) await cp(path.join(REAL_RUNS, f), path.join(dir, f), { recursive: true });
  await cp(path.join(REAL_RUNS, 'kvm-lab'), path.join(dir, 'zz-kvm-lab-copy'), { recursive: true });
  await cp(path.join(REAL_RUNS, 'kvm-lab'), path.join(dir, 'damaged'), { recursive: true });
  const record = path.join(dir, 'damaged', 'run.json');
  await writeFile(record, (await readFile(record, 'utf8')).replaceAll('20261206-044326-quick-e730', '20261206-044326-quick-dead'));
  await writeFile(path.join(dir, 'damaged', 'samples.jsonl'), '{"metric": "../x", "value": 1}\n');
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** One command in-process as the CLI runs it: stdout, stderr, and the exit code. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const program = new Command('hvbench').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  registerExport(program);
  registerCompare(program);
  registerHistory(program);
  registerIndex(program);
  registerReport(program);
  let out = '';
  let err = '';
  const so = vi.spyOn(process.stdout, 'write').mockImplementation((c: unknown) => {
    out += String(c);
    return true;
  });
  const se = vi.spyOn(process.stderr, 'write').mockImplementation((c: unknown) => {
    err += String(c);
    return true;
  });
  try {
    await program.parseAsync(['node', 'hvbench', ...args]);
    return { code: process.exitCode === undefined ? 0 : Number(process.exitCode), out, err };
  } catch (e) {
    return { code: exitCodeOf(e), out, err: `${err}${(e as Error).message}\n${(e as { hint?: string }).hint ?? ''}` };
  } finally {
    so.mockRestore();
    se.mockRestore();
    process.exitCode = undefined;
  }
}

describe('hvbench index, and the commands that read it', () => {
  it('history prints the same with the index as from the folders (text and JSON, warnings, a missing metric)', { timeout: 180_000 }, async () => {
    const cases = [
      ['--metric', 'boot.to_ready_ms'],
      ['--metric', 'cpu.events_per_s', '--json'],
      ['--metric', 'cpu.events_per_s', '--per', 'revision', '--where', 'backend=tcg'],
      ['--metric', 'no.such_metric'],
    ];
    const scanned = [];
    for (const c of cases) scanned.push(await cli(['history', dir, ...c]));
    expect(await hasIndex(dir)).toBe(false);
    const rebuilt = await cli(['index', 'rebuild', '--out', dir]);
    expect(rebuilt.out).toMatch(/: 6 runs, 1317 samples, 1 folder\(s\) refused; 7 read, 0 unchanged, 0 dropped/);
    expect(rebuilt.err).toMatch(/damaged: skipped: .*samples\.jsonl line 1/);
    for (const [i, c] of cases.entries()) {
      const indexed = await cli(['history', dir, ...c]);
      expect(indexed, c.join(' ')).toEqual(scanned[i]);
      expect(await cli(['history', dir, ...c, '--no-index'])).toEqual(scanned[i]);
    }
    expect(scanned[0]!.out).toContain('20261206-035031-quick-a51c');
    expect(scanned[0]!.err).toMatch(/zz-kvm-lab-copy: skipped: the same run id 20261206-044326-quick-e730/);
    expect(scanned[3]!.code).toBe(2);
  });

  it('compare takes a baseline by query', { timeout: 120_000 }, async () => {
    const r = await cli(['compare', path.join(dir, 'native-tcg-local-2'), 'latest:quick@local', '--no-fail']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/A \(baseline\): 20261206-035031-quick-a51c\nB \(run\): {6}20261206-041515-quick-1779/);
    const none = await cli(['compare', path.join(dir, 'native-tcg-local-2'), 'latest:nightly']);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/baseline latest:nightly: no completed run of suite nightly/);
  });

  it('report takes a baseline by query', { timeout: 180_000 }, async () => {
    const out = path.join(root, 'report-latest');
    const r = await cli(['report', path.join(dir, 'native-tcg-local-2'), '--baseline', 'latest:quick@local', '--no-figures', '--json', '--out', out]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).charts).toContain('history');
    const page = await readFile(path.join(out, 'index.html'), 'utf8');
    expect(page).toContain('against baseline 20261206-035031-quick-a51c');
    const none = await cli(['report', path.join(dir, 'native-tcg-local-2'), '--baseline', 'latest:nightly', '--no-figures', '--out', `${out}-none`]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/baseline latest:nightly: no completed run of suite nightly/);
  });

  it('exports Parquet that DuckDB reads back, from a run and from the index', { timeout: 120_000 }, async () => {
    const one = path.join(root, 'kvm.parquet');
    const all = path.join(root, 'all.parquet');
    expect((await cli(['export', 'parquet', path.join(dir, 'kvm-lab'), '-o', one])).code).toBe(0);
    const exported = await cli(['export', 'parquet', '--index', dir, '-o', all]);
    expect(exported.err).toMatch(/1210 samples written to/);
    const csv = await cli(['export', 'csv', '--index', dir]);
    expect(csv.out.trim().split('\n')).toHaveLength(1211);
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      const read = async (sql: string) => (await conn.runAndReadAll(sql)).getRowsJS();
      expect(await read(`SELECT count(*) FROM read_parquet('${one}')`)).toEqual([[107n]]);
      expect(await read(`SELECT count(*), count(DISTINCT run) FROM read_parquet('${all}')`)).toEqual([[1210n, 5n]]);
      const columns = Object.fromEntries((await read(`DESCRIBE SELECT * FROM read_parquet('${all}')`)).map((r) => [r[0], r[1]]));
      expect(Object.keys(columns).slice(0, 5)).toEqual(['ts', 'metric', 'value', 'unit', 'better']);
      expect(columns).toMatchObject({ value: 'DOUBLE', rep: 'BIGINT', vcpus: 'BIGINT', backend: 'VARCHAR', run: 'VARCHAR', 'param.iothread': 'BOOLEAN' });
      // Every sample of the CSV is a row of the Parquet file, with the same value.
      expect(
        await read(`SELECT sum(value) = (SELECT sum(value) FROM read_parquet('${one}') ) FROM read_parquet('${all}') WHERE run = '20261206-044326-quick-e730'`),
      ).toEqual([[true]]);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
