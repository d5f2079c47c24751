import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, BackendLeftover, LeftoverFinder } from '../../src/backends/common/backend.ts';
import { createRun, updateRun } from '../../src/results/store.ts';
import { findAllLeftovers, removeLeftovers } from '../../src/runner/leftovers.ts';
import { newRun } from '../results/fixtures.ts';
import { noNetnsHost } from '../support/unused-host-methods.ts';

/** A backend that declares `leftovers` and nothing else this module asks for. */
function backendWith(name: string, leftovers?: LeftoverFinder): Backend {
  return {
    name,
    devices() {
      throw new Error('not asked');
    },
    network: 'none',
    factDims: [],
    ...(leftovers ? { leftovers } : {}),
    probe: () => Promise.reject(new Error('not asked')),
    launch: () => Promise.reject(new Error('not asked')),
  };
}

/** A leftover that records when it is removed into `log`. */
function leftover(what: string, log: string[], outcome: { removed?: string; problem?: string } = { removed: what }): BackendLeftover {
  return {
    kind: 'vm-folder',
    what,
    facts: { path: what },
    async remove() {
      log.push(what);
      return outcome;
    },
  };
}

describe('leftovers of every backend, networks, runs and cache temporaries', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvb-runner-leftovers-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const options = (backends: readonly Backend[]) => ({
    backends,
    resultsDir: join(dir, 'results'),
    tmpDir: join(dir, 'tmp'),
    stateDir: join(dir, 'net'),
    cacheDir: join(dir, 'cache'),
    host: noNetnsHost,
  });

  it('asks a finder two backends share once, with the folder VMMs use; backends without one add nothing', async () => {
    const asked: { tmpDir: string }[] = [];
    const log: string[] = [];
    const shared: LeftoverFinder = {
      async find(o) {
        asked.push({ tmpDir: o.tmpDir });
        return { found: [leftover('VM folder a', log), leftover('VM folder b', log)], skipped: [{ what: 'VM folder c', why: 'another user' }] };
      },
    };
    const report = await findAllLeftovers(options([backendWith('one', shared), backendWith('two', shared), backendWith('three')]));
    expect(asked).toEqual([{ tmpDir: join(dir, 'tmp') }]);
    expect(report.backends.map((b) => b.what)).toEqual(['VM folder a', 'VM folder b']);
    expect(report).toMatchObject({ networks: [], runs: [], cacheTemps: [], skipped: [{ what: 'VM folder c', why: 'another user' }] });
    expect(log).toEqual([]); // finding changes nothing
  });

  it('removes in order: backend leftovers, runs, cache temporaries; collects what went and what could not', async () => {
    const log: string[] = [];
    const finder: LeftoverFinder = {
      find: async () => ({
        found: [leftover('QEMU process 1', log), leftover('VM folder a', log, { problem: 'a: busy' }), leftover('pid reused', log, {})],
        skipped: [],
      }),
    };
    const run = await createRun(join(dir, 'results'), newRun());
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await updateRun(run, (r) => (r.writer.pid = gone));
    const temp = join(dir, 'cache', 'images', '.tmp-0000-333333333333');
    await mkdir(temp, { recursive: true });
    const old = new Date(Date.now() - 2 * 3600_000);
    await utimes(temp, old, old);

    const o = options([backendWith('one', finder)]);
    const report = await findAllLeftovers(o);
    expect(report.runs.map((r) => r.dir)).toEqual([run.dir]);
    expect(report.cacheTemps).toEqual([temp]);
    expect(await removeLeftovers(report, o)).toEqual({
      removed: ['QEMU process 1', `run ${run.dir}: marked interrupted`, `unfinished cache entry ${temp}`],
      problems: ['a: busy'],
    });
    expect(log).toEqual(['QEMU process 1', 'VM folder a', 'pid reused']);
  });
});
