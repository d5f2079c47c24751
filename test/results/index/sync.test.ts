import { appendFile, cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasIndex, INDEX_DIR, indexFile, openIndex, withIndex } from '../../../src/results/index/db.ts';
import { indexedRuns, indexedSamples } from '../../../src/results/index/query.ts';
import { indexRunIfPresent, syncIndex } from '../../../src/results/index/sync.ts';
import { readSamples } from '../../../src/results/samples-file.ts';
import { openRun } from '../../../src/results/store.ts';
import { REAL_RUNS } from '../../support/real-runs.ts';

const FIXTURES = ['io-paths-native-tcg', 'kvm-lab', 'native-tcg-local', 'native-tcg-local-2', 'xen-lab-pv-pvh'];
let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hvb-index-'));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** A results folder holding copies of the real runs. */
async function results(name: string): Promise<string> {
  const dir = path.join(root, name);
  for (const f of FIXTURES) await cp(path.join(REAL_RUNS, f), path.join(dir, f), { recursive: true });
  return dir;
}

describe('results index', () => {
  it('holds every run and exactly the samples the store reads, in file order', { timeout: 60_000 }, async () => {
    const dir = await results('same');
    await withIndex(dir, async (db) => {
      expect(await syncIndex(db)).toEqual({ read: 5, dropped: 0, kept: 0 });
      const runs = await indexedRuns(db, dir);
      expect(runs.map((r) => r.folder)).toEqual(FIXTURES);
      const samples = await indexedSamples(
        db,
        runs.map((r) => r.key),
      );
      for (const r of runs) {
        const stored = await openRun(r.dir);
        expect(r.id).toBe(stored.id);
        expect(r.error).toBeUndefined();
        const read = await readSamples(stored);
        expect(samples.get(r.key)).toEqual(read.samples);
        expect(r.warnings).toEqual(read.warnings);
      }
      expect(await syncIndex(db)).toEqual({ read: 0, dropped: 0, kept: 5 });
    });
  });

  it('reads a changed folder again, drops a removed one, keeps a refused one as its error', { timeout: 60_000 }, async () => {
    const dir = await results('changes');
    await withIndex(dir, (db) => syncIndex(db));
    const kvm = path.join(dir, 'kvm-lab', 'samples.jsonl');
    const before = (await readSamples(await openRun(path.join(dir, 'kvm-lab')))).samples.length;
    await appendFile(kvm, '{"metric":"extra.m","value":1,"unit":"x","better":"lower","dims":{"run":"r","case":"c","rep":1},"ts":"t"}\n');
    await rm(path.join(dir, 'native-tcg-local-2'), { recursive: true });
    await writeFile(path.join(dir, 'xen-lab-pv-pvh', 'run.json'), '{"format": 1');
    await withIndex(dir, async (db) => {
      expect(await syncIndex(db)).toEqual({ read: 2, dropped: 1, kept: 2 });
      const runs = await indexedRuns(db, dir);
      expect(runs.map((r) => r.folder)).toEqual(['io-paths-native-tcg', 'kvm-lab', 'native-tcg-local', 'xen-lab-pv-pvh']);
      expect(runs.find((r) => r.folder === 'kvm-lab')!.sampleCount).toBe(before + 1);
      const xen = runs.find((r) => r.folder === 'xen-lab-pv-pvh')!;
      expect(xen.id).toBeUndefined();
      expect(xen.error).toMatch(/xen-lab-pv-pvh: skipped: .*run\.json: not readable as JSON/);
    });
  });

  it('is made anew for a copied results folder, and for a file that is not an index', { timeout: 60_000 }, async () => {
    const dir = await results('original');
    await withIndex(dir, (db) => syncIndex(db));
    const copy = path.join(root, 'copy');
    await cp(dir, copy, { recursive: true });
    await withIndex(copy, async (db) => {
      // The copy's index names the original folder: nothing of it is trusted.
      expect(await indexedRuns(db, copy)).toEqual([]);
      expect((await syncIndex(db)).read).toBe(5);
    });
    await writeFile(indexFile(copy), 'not a database at all');
    await rm(`${indexFile(copy)}.wal`, { force: true });
    const db = await openIndex(copy);
    try {
      expect(await indexedRuns(db, copy)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('is updated after a run only where a results folder has one', { timeout: 60_000 }, async () => {
    const dir = await results('hook');
    const warnings: string[] = [];
    await indexRunIfPresent(path.join(dir, 'kvm-lab'), (w) => warnings.push(w));
    expect(await hasIndex(dir)).toBe(false);
    expect(await readdir(dir)).not.toContain(INDEX_DIR);
    await withIndex(dir, (db) => syncIndex(db, { only: ['native-tcg-local'] }));
    await indexRunIfPresent(path.join(dir, 'kvm-lab'), (w) => warnings.push(w));
    await withIndex(dir, async (db) => expect((await indexedRuns(db, dir)).map((r) => r.folder)).toEqual(['kvm-lab', 'native-tcg-local']));
    expect(warnings).toEqual([]);
  });
});
