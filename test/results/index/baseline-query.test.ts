import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBaselineQuery, resolveBaseline } from '../../../src/results/index/baseline-query.ts';
import { withIndex } from '../../../src/results/index/db.ts';
import { syncIndex } from '../../../src/results/index/sync.ts';
import { REAL_RUNS } from '../../support/real-runs.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hvb-baseline-'));
  for (const f of ['kvm-lab', 'native-tcg-local', 'native-tcg-local-2', 'xen-lab-pv-pvh', 'io-paths-native-tcg']) {
    await cp(path.join(REAL_RUNS, f), path.join(dir, f), { recursive: true });
  }
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

// native-tcg-local-2 (04:15, quick, local); before it: xen-lab-pv-pvh (03:53, lab-xen), native-tcg-local (03:50, local).
const under = { id: '20261206-041515-quick-1779', suite: 'quick', startedAt: '2026-12-06T04:15:15.303Z' };

describe('baseline queries', () => {
  it('parses latest, latest:<suite> and latest:<suite>@<host>, and leaves runs alone', () => {
    expect(parseBaselineQuery('latest')).toEqual({ text: 'latest' });
    expect(parseBaselineQuery('latest:main')).toEqual({ text: 'latest:main', suite: 'main' });
    expect(parseBaselineQuery('latest:main@lab-kvm')).toEqual({ text: 'latest:main@lab-kvm', suite: 'main', host: 'lab-kvm' });
    expect(parseBaselineQuery('20261206-041515-quick-1779')).toBeUndefined();
    expect(parseBaselineQuery('results/latest')).toBeUndefined();
    expect(() => parseBaselineQuery('latest:Main')).toThrow(/expected latest, latest:<suite> or latest:<suite>@<host>/);
    expect(() => parseBaselineQuery('latest:main@')).toThrow(/expected latest/);
  });

  for (const indexed of [false, true]) {
    it(`finds the newest completed run before the run under test (${indexed ? 'from the index' : 'from the folders'})`, { timeout: 60_000 }, async () => {
      if (indexed) await withIndex(dir, (db) => syncIndex(db));
      expect(await resolveBaseline({ text: 'latest' }, dir, under)).toBe(path.join(dir, 'xen-lab-pv-pvh'));
      expect(await resolveBaseline({ text: 'latest:quick@local', suite: 'quick', host: 'local' }, dir, under)).toBe(path.join(dir, 'native-tcg-local'));
      await expect(resolveBaseline({ text: 'latest:nightly', suite: 'nightly' }, dir, under)).rejects.toThrow(
        /no completed run of suite nightly started before 20261206-041515-quick-1779/,
      );
      // Never the run itself, never a later one: the first run of the suite has no baseline.
      await expect(
        resolveBaseline({ text: 'latest' }, dir, { id: '20261206-035031-quick-a51c', suite: 'quick', startedAt: '2026-12-06T03:50:31.954Z' }),
      ).rejects.toMatchObject({ message: expect.stringMatching(/no completed run of suite quick/), hint: 'suites with runs there: io-paths, quick' });
    });
  }
});
