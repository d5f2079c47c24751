import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseManifest } from '../../src/results/manifest.ts';
import { pendingCase } from '../../src/results/run-record.ts';
import type { Sample } from '../../src/results/sample.ts';
import { appendSamples } from '../../src/results/samples-file.ts';
import { createRun, finishRun } from '../../src/results/store.ts';
import { hvbench } from '../support/cli.ts';

// Synthetic runs whose cases carry equivalence manifests; the real CLI compares and reports them.

let dir: string;
const runs: Record<string, string> = {};
const guest = { on: 'guest', cpus: '1', memory_kib: '470000', clocksource: 'hpet', image: 'img' };
const host = { on: 'host', cpus: '1', memory_kib: '24000000', clocksource: 'tsc', image: 'img' };

async function makeRun(name: string, tcg: Record<string, string>): Promise<string> {
  const startedAt = '2026-01-01T08:00:00.000Z';
  const cases = ['native', 'tcg'].map((backend) => ({
    ...pendingCase({ id: `${backend}/cpu`, backend, workload: 'cpu', params: {}, repetitions: 5, warmup: 0 }),
    status: 'completed' as const,
    repetitionsDone: 5,
    manifest: caseManifest(backend === 'native' ? host : tcg),
  }));
  const run = await createRun(dir, {
    startedAt,
    suite: { name, file: 'suites/quick.ts', resolved: { name } },
    hvbench: { version: '0.1.0', revision: 'rev' },
    hosts: [],
    backends: [],
    cases,
  });
  const samples: Sample[] = [];
  for (let rep = 1; rep <= 5; rep++) {
    for (const backend of ['native', 'tcg']) {
      const dims = { suite: name, run: run.id, case: `${backend}/cpu`, backend, workload: 'cpu', vcpus: 1, rep, host: 'local', image: 'img' };
      samples.push({ metric: 'cpu.events_per_s', value: (backend === 'native' ? 1000 : 100) + rep, unit: 'events/s', better: 'higher', dims, ts: startedAt });
    }
  }
  await appendSamples(run, samples);
  await finishRun(run, 'completed');
  return run.dir;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hvb-strict-'));
  runs.same = await makeRun('same', guest);
  runs.more = await makeRun('more', { ...guest, cpus: '2' });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the equivalence check on the command line', () => {
  it('compare: sides that got the same guest pass --strict; what differs by nature is a note', async () => {
    const r = await hvbench(['compare', runs.same!, '--strict']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/note: the sides differ by nature .*clocksource tsc against hpet/);
    expect(r.stderr).not.toMatch(/did not get the same guest/);
  });

  it('compare: a must-match field that differs is a warning, and with --strict a refusal naming the cases and the field', async () => {
    const warned = await hvbench(['compare', runs.more!]);
    expect(warned.exitCode).toBe(0);
    expect(warned.stderr).toMatch(/warning: native\/cpu and tcg\/cpu did not get the same guest: cpus \(CPUs the workload may use\): 1 against 2/);
    const refused = await hvbench(['compare', runs.more!, '--strict']);
    expect(refused.exitCode).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(/--strict: the sides differ in more than the backend compared:\n {2}native\/cpu and tcg\/cpu .*cpus/);
  });

  it('report --strict writes nothing for such runs', async () => {
    const out = join(dir, 'report-more');
    const r = await hvbench(['report', runs.more!, '--strict', '--no-figures', '--out', out]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/--strict: .*\n {2}native\/cpu and tcg\/cpu .*cpus/);
    await expect(access(out)).rejects.toThrow();
  });

  it('report without --strict warns of such runs, as unlike guests rather than failed cases', async () => {
    const out = join(dir, 'report-warned');
    const r = await hvbench(['report', runs.more!, '--no-figures', '--out', out]);
    expect(r.exitCode, r.stderr).toBe(0);
    const page = await readFile(join(out, 'index.html'), 'utf8');
    expect(page).toMatch(/Warnings \([^)]*1 comparison of unlike guests/);
    expect(page).not.toMatch(/Warnings \([^)]*failed case/);
  });
});
