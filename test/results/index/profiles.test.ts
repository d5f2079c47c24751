import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, withIndex } from '../../../src/results/index/db.ts';
import { indexedMetricSamples, indexedRuns, indexedSamples } from '../../../src/results/index/query.ts';
import { syncIndex } from '../../../src/results/index/sync.ts';
import { readSamples } from '../../../src/results/samples-file.ts';
import { openRun } from '../../../src/results/store.ts';
import { REAL_RUNS } from '../../support/real-runs.ts';

const FIXTURES = ['native-tcg-local', 'native-tcg-local-2', 'kvm-lab'];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hvb-index-profiles-'));
  for (const f of FIXTURES) await cp(path.join(REAL_RUNS, f), path.join(dir, f), { recursive: true });
  // The next night's run of the same cases on the same image: another run id, the same dimensions otherwise.
  await cp(path.join(REAL_RUNS, 'native-tcg-local'), path.join(dir, 'next-night'), { recursive: true });
  for (const file of ['run.json', 'samples.jsonl']) {
    const f = path.join(dir, 'next-night', file);
    await writeFile(f, (await readFile(f, 'utf8')).replaceAll('20261206-035031-quick-a51c', '20261207-035031-quick-b62d'));
  }
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('profiles in the index', () => {
  it('are stored once for the runs that share them, and give back each run its samples of a metric', { timeout: 60_000 }, async () => {
    await withIndex(dir, async (db) => {
      await syncIndex(db);
      const runs = await indexedRuns(db, dir);
      const metric = 'cpu.events_per_s';
      const packed = await indexedMetricSamples(
        db,
        runs.map((r) => r.key),
        metric,
      );
      const byRun = await indexedSamples(
        db,
        runs.map((r) => r.key),
        metric,
      );
      for (const r of runs) {
        const read = (await readSamples(await openRun(r.dir))).samples.filter((s) => s.metric === metric);
        expect(byRun.get(r.key), r.folder).toEqual(read);
        expect(packed.get(r.key)?.run).toBe(r.id);
      }
      // Two runs of the same cases on the same image: their profiles are the same objects.
      const [a, b, other] = ['native-tcg-local', 'next-night', 'native-tcg-local-2'].map((f) => packed.get(runs.find((r) => r.folder === f)!.key)!);
      expect(a!.run).not.toBe(b!.run);
      expect(b!.profiles).toEqual(a!.profiles);
      expect(b!.profiles.every((p, i) => p === a!.profiles[i])).toBe(true);
      // Another image is another profile.
      expect(other!.profiles.some((p) => a!.profiles.includes(p))).toBe(false);
      const [[count]] = (await all(db, 'SELECT count(*) FROM profiles')) as [[bigint]];
      const perRun = (await all(db, 'SELECT count(*) FROM run_metric')) as [[bigint]];
      expect(Number(count)).toBeLessThan(Number(perRun[0][0]) * 3);
      // A folder read again (changed): its profiles are found, not stored twice.
      await db.conn.run('UPDATE runs SET run_sig = $1 WHERE folder = $2', ['changed', 'next-night']);
      expect(await syncIndex(db)).toMatchObject({ read: 1, kept: 3 });
      const [[distinct, total]] = (await all(db, 'SELECT count(DISTINCT body), count(*) FROM profiles')) as [[bigint, bigint]];
      expect(distinct).toBe(total);
    });
  });
});
