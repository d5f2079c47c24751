import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../src/results/sample.ts';
import { appendSamples } from '../../src/results/samples-file.ts';
import { createRun, finishRun } from '../../src/results/store.ts';
import { mulberry32, normalSampler } from '../../src/stats/prng.ts';
import { hvbench } from '../support/cli.ts';

// Synthetic run folders written with the real store; the real CLI reads them.

let dir: string;
const runs: Record<string, string> = {};

let other: string;

async function makeRun(
  name: string,
  day: number,
  factor: Record<string, number>,
  seed: number,
  suite: object = { name: 'quick' },
  where = dir,
): Promise<string> {
  const z = normalSampler(mulberry32(seed));
  const startedAt = `2026-01-${String(day).padStart(2, '0')}T08:00:00.000Z`;
  const run = await createRun(where, {
    startedAt,
    suite: { name: 'quick', file: 'suites/quick.ts', resolved: suite },
    hvbench: { version: '0.1.0', revision: `rev-${name}` },
    hosts: [],
    backends: [],
    cases: [],
  });
  const samples: Sample[] = [];
  for (let rep = 1; rep <= 10; rep++) {
    for (const backend of Object.keys(factor)) {
      const dims = {
        suite: 'quick',
        run: run.id,
        case: `${backend}/cpu/threads=1`,
        backend,
        accel: backend,
        workload: 'cpu',
        vcpus: 1,
        rep,
        host: 'local',
        host_cpu: 'Test CPU',
        image: 'img',
        'param.threads': 1,
      };
      const base = backend === 'native' ? 20_000 : 1000;
      samples.push({ metric: 'cpu.events_per_s', value: base * factor[backend]! * (1 + 0.02 * z()), unit: 'events/s', better: 'higher', dims, ts: startedAt });
      samples.push({ metric: 'boot.to_ready_ms', value: 3000 * (1 + 0.02 * z()), unit: 'ms', better: 'lower', dims, ts: startedAt });
    }
  }
  await appendSamples(run, samples);
  await finishRun(run, 'completed');
  return run.dir;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hvb-compare-'));
  runs.base = await makeRun('base', 1, { tcg: 1 }, 1);
  runs.slow = await makeRun('slow', 2, { tcg: 0.8 }, 2, { name: 'quick', compare: { metrics: { 'boot.to_ready_ms': { noiseThreshold: 0.1 } } } });
  runs.both = await makeRun('both', 3, { tcg: 1, native: 1 }, 3);
  // Another results folder: a history whose newest point regressed.
  other = await mkdtemp(join(tmpdir(), 'hvb-compare-other-'));
  await makeRun('base2', 5, { tcg: 1 }, 5, undefined, other);
  await makeRun('slow2', 6, { tcg: 0.8 }, 6, undefined, other);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(other, { recursive: true, force: true });
});

describe('hvbench compare', () => {
  it('finds no significant change between a run and itself (exit 0)', async () => {
    const r = await hvbench(['compare', runs.base!, runs.base!]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^no significant change +1\.000 \[0\.9\d\d, 1\.0\d\d\] +\+0\.0 % +1 +tcg\/cpu threads=1 +cpu\.events_per_s ↑ +10 +10 /m);
    expect(r.stdout).toMatch(/0 regressions, 0 improvements, 2 without significant change/);
  });

  it('flags a 20 % slowdown as a regression (exit 1), the finding first', async () => {
    const r = await hvbench(['compare', runs.slow!, runs.base!]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/findings:\n {2}regression: tcg cpu\.events_per_s ↑ in 1 case, B\/A 0\.\d{3}: tcg\/cpu threads=1\n/);
    expect(r.stdout).toMatch(/^regression +0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] +−\d\d\.\d % +\S+ +tcg\/cpu threads=1 +cpu\.events_per_s ↑/m);
    expect(r.stdout).toMatch(/1 regression, 0 improvements \(1 finding\), 1 without significant change/);
    expect(r.stdout).toMatch(/noise threshold 5 %/);
  });

  it('writes JSON for machines, with the per-metric threshold from the suite, the seed, the family and the findings', async () => {
    const r = await hvbench(['compare', runs.slow!, runs.base!, '--json', '--seed', '7']);
    expect(r.exitCode).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({
      format: 1,
      mode: 'runs',
      counts: { regression: 1, improvement: 0, 'no-change': 1, 'not-computable': 0 },
      method: { seed: 7, ratioCi: 'log-t', gateTest: 'welch', correction: 'holm', familySize: 2 },
    });
    expect(report.findings).toMatchObject([{ verdict: 'regression', variant: 'tcg', metric: 'cpu.events_per_s', cases: [{ label: 'tcg/cpu threads=1' }] }]);
    const boot = report.rows.find((row: { metric: string }) => row.metric === 'boot.to_ready_ms');
    expect(boot.comparison).toMatchObject({ noiseThreshold: 0.1, alpha: 0.01, verdict: 'no-change' });
    const cpu = report.rows.find((row: { metric: string }) => row.metric === 'cpu.events_per_s');
    expect(cpu.comparison.ratio).toBeGreaterThan(0.75);
    expect(cpu.comparison.ratio).toBeLessThan(0.85);
  });

  it('writes the changes as Markdown', async () => {
    const r = await hvbench(['compare', runs.slow!, runs.base!, '--markdown']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^### hvbench compare: /);
    expect(r.stdout).toMatch(
      /^\| \*\*regression\*\* \| 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] \| −\d\d\.\d % \| \S+ \| tcg\/cpu threads=1 \| cpu\.events_per_s ↑ \|$/m,
    );
    expect(r.stdout).not.toMatch(/boot\.to_ready_ms/);
  });

  it('lets the command line raise the threshold above the change (exit 0), and --no-fail keep exit 0', async () => {
    expect((await hvbench(['compare', runs.slow!, runs.base!, '--threshold', 'cpu.events_per_s=30%'])).exitCode).toBe(0);
    expect((await hvbench(['compare', runs.slow!, runs.base!, '--no-fail'])).exitCode).toBe(0);
  });

  it('compares backends within one run against native: verdicts from the interval, exit 0', async () => {
    const r = await hvbench(['compare', runs.both!]);
    expect(r.stdout).toMatch(/backend tcg \(B\) against backend native \(A\)/);
    expect(r.stdout).toMatch(/^worse +0\.05\d \[0\.05\d, 0\.05\d\] +−9\d\.\d % +tcg\/cpu threads=1 +cpu\.events_per_s ↑/m);
    expect(r.stdout).toMatch(/against backend native: 1 worse, 0 better, 1 similar, 0 inconclusive/);
    expect(r.exitCode).toBe(0);
    const json = JSON.parse((await hvbench(['compare', runs.both!, '--by', 'backend', '--reference', 'tcg', '--json'])).stdout);
    expect(json).toMatchObject({ mode: 'by', by: 'backend', a: { value: 'tcg' }, b: { values: ['native'] }, findings: [] });
  });

  it('exits 2 on bad input: a missing run, a bad option, nothing to match', { timeout: 60_000 }, async () => {
    const missing = await hvbench(['compare', join(dir, 'nope'), runs.base!]);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/no run found/);
    expect((await hvbench(['compare', runs.slow!, runs.base!, '--alpha', '3'])).exitCode).toBe(2);
    const test = await hvbench(['compare', runs.slow!, runs.base!, '--test', 'z']);
    expect(test.exitCode).toBe(2);
    expect(test.stderr).toMatch(/--test "z": expected welch or permutation/);
    const both = await hvbench(['compare', runs.slow!, runs.base!, '--json', '--markdown']);
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toMatch(/--json and --markdown: choose one output format/);
    const ref = await hvbench(['compare', runs.base!, '--reference', 'kvm']);
    expect(ref.exitCode).toBe(2);
    expect(ref.stderr).toMatch(/has no backend of that value; it has: tcg/);
    const none = await hvbench(['compare', runs.slow!, runs.base!, '--metric', 'nope']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/nothing to compare/);
  });
});

describe('hvbench history', () => {
  it('shows a metric across the runs and flags where it changed', async () => {
    const r = await hvbench(['history', dir, '--metric', 'cpu.events_per_s', '--where', 'backend=tcg']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('tcg/cpu threads=1: cpu.events_per_s (events/s, higher is better)');
    expect(r.stdout).toMatch(/2026-01-02 08:00 .* << regression/);
    expect(r.stdout).toMatch(/2026-01-03 08:00 .* << improvement/);
    expect(r.stdout).toMatch(/2 changes flagged over 3 points/);
  });

  it('groups by revision and writes JSON', async () => {
    const json = JSON.parse((await hvbench(['history', dir, '--metric', 'cpu.events_per_s', '--per', 'revision', '--json'])).stdout);
    expect(json.series[0].points.map((p: { label: string }) => p.label)).toEqual(['rev-base', 'rev-slow', 'rev-both']);
  });

  it('exits 1 when the newest point of a series is a regression (--no-fail: 0)', async () => {
    const r = await hvbench(['history', other, '--metric', 'cpu.events_per_s']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^2026-01-06 08:00 +<< regression +\d+ \[\d+, \d+\] +−\d\d\.\d % +\S+ +10 +20260106-080000-quick-[0-9a-f]{4}$/m);
    expect(r.stdout).toMatch(/p adjusted over the 1 step shown \(Holm\)/);
    expect((await hvbench(['history', other, '--metric', 'cpu.events_per_s', '--no-fail'])).exitCode).toBe(0);
  });

  it('exits 2 for an unknown metric, naming the ones it found', async () => {
    const r = await hvbench(['history', dir, '--metric', 'nope']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/metrics found: boot\.to_ready_ms, cpu\.events_per_s/);
  });
});
