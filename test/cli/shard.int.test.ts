import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/results/run-record.ts';
import { readSamples } from '../../src/results/samples-file.ts';
import { openRun } from '../../src/results/store.ts';
import { hvbench } from '../support/cli.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

// A tiny suite (native + tcg × cpu at 1 and 2 threads: 4 cases in 2 groups) run whole, and
// split in 3 (one shard left empty) as a CI matrix would, each shard its own process and
// results folder; the merged shards must hold what the whole run holds.

let dir: string;
let suite: string;
beforeAll(async () => {
  await guestImage();
  dir = await mkdtemp(join(tmpdir(), 'hvb-cli-shard-'));
  suite = join(dir, 'tiny.ts');
  await writeFile(
    suite,
    "export default { name: 'tiny', backends: ['native', 'tcg'], repetitions: 1, workloads: [{ workload: 'cpu', params: { timeSec: 1, threads: [1, 2] } }] };\n",
  );
}, IMAGE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function onlyRun(out: string) {
  const names = await readdir(out);
  expect(names).toHaveLength(1);
  const run = await openRun(join(out, names[0]!));
  return { run, samples: (await readSamples(run)).samples };
}

/** Samples per case and metric, e.g. `tcg/cpu/threads=1,timeSec=1 cpu.events_per_s` → 1. */
function counts(samples: { metric: string; dims: Record<string, unknown> }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    const key = `${String(s.dims.case)} ${s.metric}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

const caseStates = (r: RunRecord) => r.cases.map((c) => [c.id, c.status, c.repetitionsDone]);

describe('hvbench run --shard and merge, on this host', () => {
  it('three shards merged hold the same cases and as many samples as the whole run', { timeout: 15 * 60_000 }, async () => {
    let t0 = Date.now();
    const whole = await hvbench(['run', suite, '--out', join(dir, 'whole')], { timeoutMs: 5 * 60_000 });
    expect(whole.exitCode, whole.stdout + whole.stderr).toBe(0);
    const wall = { whole: Date.now() - t0, shards: [] as number[] };

    for (const i of [1, 2, 3]) {
      t0 = Date.now();
      const r = await hvbench(['run', suite, '--shard', `${i}/3`, '--out', join(dir, `shard-${i}`)], { timeoutMs: 5 * 60_000 });
      expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      wall.shards.push(Date.now() - t0);
      if (i < 3) expect(r.stderr).toContain(`shard ${i}/3: 1 of the suite's 2 group(s) (2 of 4 cases)`);
      else expect(r.stderr).toContain('shard 3/3: no cases — the split of 2 group(s) over 3 shards left this one empty');
    }
    // The empty shard still wrote a valid, completed run that says which shard it is.
    const empty = await onlyRun(join(dir, 'shard-3'));
    expect(empty.run.record.status).toBe('completed');
    expect(empty.run.record.cases).toEqual([]);
    expect(empty.run.record.shard).toMatchObject({ index: 3, count: 3, groups: 0, positions: [], of: { cases: 4, groups: 2 } });
    expect(empty.samples).toEqual([]);

    const shardDirs = await Promise.all([1, 2, 3].map(async (i) => join(dir, `shard-${i}`, (await readdir(join(dir, `shard-${i}`)))[0]!)));
    t0 = Date.now();
    const merged = await hvbench(['merge', ...shardDirs, '--out', join(dir, 'merged')]);
    expect(merged.exitCode, merged.stdout + merged.stderr).toBe(0);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    // The figures (one after the other on this machine; on a CI matrix the shards run side by side: the longest counts).
    console.log(
      `wall time: whole run ${s(wall.whole)}; shards ${wall.shards.map(s).join(', ')} (longest ${s(Math.max(...wall.shards))}); merge ${s(Date.now() - t0)}`,
    );

    const a = await onlyRun(join(dir, 'whole'));
    const b = await onlyRun(join(dir, 'merged'));
    expect(b.run.record.status).toBe('completed');
    expect(caseStates(b.run.record)).toEqual(caseStates(a.run.record));
    expect(counts(b.samples)).toEqual(counts(a.samples));
    expect(Object.keys(counts(a.samples)).length).toBeGreaterThan(0);
    expect(new Set(b.samples.map((s) => s.dims.run))).toEqual(new Set([b.run.id]));
    // A group stays on one shard: both backends of a thread count ran in the same shard.
    const shards = b.run.record.merged!.shards;
    expect(shards.map((s) => s.cases.length)).toEqual([2, 2, 0]);
    for (const s of shards.slice(0, 2)) expect(new Set(s.cases.map((id) => id.split('/').slice(1).join('/'))).size).toBe(1);

    // Shards of another split are refused, with what differs.
    const other = await hvbench(['run', suite, '--shard', '1/2', '--repetitions', '2', '--workload', 'cpu', '--out', join(dir, 'other')], {
      timeoutMs: 5 * 60_000,
    });
    expect(other.exitCode, other.stdout + other.stderr).toBe(0);
    const otherDir = join(dir, 'other', (await readdir(join(dir, 'other')))[0]!);
    const refused = await hvbench(['merge', shardDirs[0]!, otherDir, '--out', join(dir, 'refused')]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('the shard count differs: N = 3 in shard 1/3');
    expect(refused.stderr).toMatch(/the resolved suite differs \(fields repetitions\)/);
    expect(refused.stderr).toContain('the command-line choices differs');
  });
});
