import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingCase } from '../../src/results/run-record.ts';
import type { Sample } from '../../src/results/sample.ts';
import { appendSamples } from '../../src/results/samples-file.ts';
import { createRun, finishRun } from '../../src/results/store.ts';
import { mulberry32, normalSampler } from '../../src/stats/prng.ts';
import { hvbench } from '../support/cli.ts';

// Two synthetic shards of a split (native + tcg × cpu threads=1, 2), written with the real store; the real CLI merges them and reads the merged run.

let dir: string;
let results: string;
const shards: string[] = [];

const CASES = ['native/cpu/threads=1', 'native/cpu/threads=2', 'tcg/cpu/threads=1', 'tcg/cpu/threads=2'];

async function makeShard(index: number, positions: number[]): Promise<string> {
  const z = normalSampler(mulberry32(index));
  const startedAt = `2026-12-06T0${index}:00:00.000Z`;
  const cases = positions.map((p) => {
    const [backend, workload, threads] = CASES[p]!.split('/');
    return {
      ...pendingCase({ id: CASES[p]!, backend: backend!, workload: workload!, params: { threads: Number(threads!.slice(8)) }, repetitions: 5, warmup: 0 }),
    };
  });
  const run = await createRun(results, {
    startedAt,
    suite: { name: 'split', file: 'suites/split.ts', resolved: { name: 'split', repetitions: 5 } },
    hvbench: { version: '0.1.0', revision: 'rev-a' },
    image: { id: 'img-1', hash: 'abc123' },
    hosts: [],
    backends: [],
    cases,
    shard: { index, count: 2, groups: 1, positions, of: { cases: 4, groups: 2, digest: '0123456789abcdef' } },
  });
  const samples: Sample[] = [];
  for (const c of run.record.cases) {
    c.status = 'completed';
    c.repetitionsDone = 5;
    for (let rep = 1; rep <= 5; rep++) {
      const dims = {
        suite: 'split',
        run: run.id,
        case: c.id,
        backend: c.backend,
        workload: 'cpu',
        vcpus: 1,
        rep,
        host: 'local',
        'param.threads': c.params.threads as number,
      };
      const base = c.backend === 'native' ? 20_000 : 1000;
      samples.push({ metric: 'cpu.events_per_s', value: base * (1 + 0.02 * z()), unit: 'events/s', better: 'higher', dims, ts: startedAt });
    }
  }
  await appendSamples(run, samples);
  await finishRun(run, 'completed');
  return run.dir;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hvb-cli-merge-'));
  results = join(dir, 'results');
  shards.push(await makeShard(1, [0, 2]), await makeShard(2, [1, 3]));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hvbench merge', () => {
  it('refuses an incomplete set of shards (exit 2), naming the missing shard', { timeout: 60_000 }, async () => {
    const r = await hvbench(['merge', shards[0]!, '--out', join(dir, 'refused')]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('cannot merge these 1 run(s):');
    expect(r.stderr).toContain('shard 2/2 missing: every shard of the split must be given');
    expect(await readdir(join(dir, 'refused')).catch(() => [])).toEqual([]);
  });

  it('merges the shards into a run that compare, export and history read like any run', { timeout: 180_000 }, async () => {
    const merged = await hvbench(['merge', ...shards, '--out', results]);
    expect(merged.stderr).toBe('');
    expect(merged.exitCode).toBe(0);
    expect(merged.stdout).toMatch(/^merged 2 shard\(s\) \(\S+, \S+\): 4 cases \(4 completed\), 20 samples\nresults: (\S+)$/);
    const mergedDir = /results: (\S+)/.exec(merged.stdout)![1]!;

    // Within the merged run: tcg against native for both thread counts, which ran on different shards.
    const compare = await hvbench(['compare', mergedDir, '--json']);
    expect(compare.exitCode).toBe(0);
    const rows = (JSON.parse(compare.stdout) as { rows: { dims: Record<string, unknown> }[] }).rows;
    expect(rows.map((row) => row.dims['param.threads']).sort()).toEqual([1, 2]);

    const csv = await hvbench(['export', 'csv', mergedDir]);
    expect(csv.stdout.trim().split('\n')).toHaveLength(21);

    // The shards sit beside their merged run: their samples count once, in the merged run.
    const history = await hvbench(['history', results, '--metric', 'cpu.events_per_s', '--json']);
    expect(history.exitCode).toBe(0);
    const series = (JSON.parse(history.stdout) as { series: { points: { runs: string[]; summary: { n: number } }[] }[] }).series;
    expect(series).toHaveLength(4);
    for (const s of series) {
      expect(s.points).toHaveLength(1);
      expect(s.points[0]!.runs).toEqual([mergedDir.split('/').at(-1)]);
      expect(s.points[0]!.summary.n).toBe(5);
    }
    expect(history.stderr.match(/skipped: a shard of the merged run/g)).toHaveLength(2);
  });
});
