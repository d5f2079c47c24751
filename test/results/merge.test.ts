import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../src/cli/exit-codes.ts';
import { mergeShards } from '../../src/results/merge.ts';
import { mergeProblems, suiteHash } from '../../src/results/merge-check.ts';
import { pendingCase, type HostFacts, type NewRun, type ShardRecord } from '../../src/results/run-record.ts';
import { appendSamples, readSamples } from '../../src/results/samples-file.ts';
import { createRun, finishRun, openRun, updateRun, type StoredRun } from '../../src/results/store.ts';
import { HvbError } from '../../src/util/errors.ts';
import { newRun, sample } from './fixtures.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hvb-merge-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The split under test: 4 cases (2 groups of native + tcg), case ids by position. */
const IDS = ['native/cpu/timeSec=1', 'native/cpu/timeSec=2', 'tcg/cpu/timeSec=1', 'tcg/cpu/timeSec=2'];
const OF = { cases: 4, groups: 2, digest: '0123456789abcdef' };

function host(hostname: string): HostFacts {
  return {
    name: 'local',
    hostname,
    cpuModel: 'AMD EPYC',
    cpus: 2,
    memoryMiB: 4096,
    kernel: '6.1.0',
    os: 'Debian GNU/Linux 12 (bookworm)',
    arch: 'x86_64',
    virtualization: 'none',
    underHypervisor: true,
    kind: 'local',
  };
}

interface ShardOptions {
  index: number;
  count?: number;
  positions: number[];
  init?: Partial<NewRun>;
  shard?: Partial<ShardRecord>;
  status?: 'completed' | 'failed' | 'interrupted' | 'running';
  startedAt?: string;
}

/** A shard run on disk as `run --shard` writes it: cases, two repetitions of samples each, a log per case. */
async function shardRun(o: ShardOptions): Promise<StoredRun> {
  const out = path.join(dir, `shard-${o.index}`);
  const cases = o.positions.map((p) => {
    const id = IDS[p]!;
    return { ...pendingCase({ id, backend: id.split('/')[0]!, workload: 'cpu', params: { timeSec: p % 2 === 0 ? 1 : 2 }, repetitions: 2, warmup: 0 }) };
  });
  const shard: ShardRecord = {
    index: o.index,
    count: o.count ?? 2,
    groups: new Set(o.positions.map((p) => p % 2)).size,
    positions: o.positions,
    of: OF,
    ...o.shard,
  };
  const run = await createRun(
    out,
    newRun({ startedAt: o.startedAt ?? `2026-12-06T10:0${o.index}:00.000Z`, hosts: [host(`runner-${o.index}`)], cases, shard, ...o.init }),
  );
  for (const c of run.record.cases) {
    c.status = 'completed';
    c.repetitionsDone = 2;
    c.logs = [`logs/${c.id.replaceAll('/', '_')}.r1.log`];
    await mkdir(path.join(run.dir, 'logs'), { recursive: true });
    await writeFile(path.join(run.dir, c.logs[0]!), `console of ${c.id}\n`);
    await appendSamples(
      run,
      [1, 2].map((rep) => sample(100 + rep, { run: run.id, case: c.id, backend: c.backend, rep, host: 'local' })),
    );
  }
  if (o.status === 'running') await updateRun(run);
  else await finishRun(run, o.status ?? 'completed', o.status === 'failed' ? { message: 'a fault', code: 'results-write' } : undefined);
  return openRun(run.dir);
}

const two = async () => [await shardRun({ index: 1, positions: [0, 2] }), await shardRun({ index: 2, positions: [1, 3] })];

async function refusal(runs: StoredRun[]): Promise<HvbError> {
  const out = path.join(dir, 'merged');
  const caught = await mergeShards(runs, out).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(caught).toBeInstanceOf(HvbError);
  const e = caught as HvbError;
  expect(e.code).toBe('merge-mismatch');
  expect(exitCodeOf(e)).toBe(2);
  // Nothing is written when the shards are refused.
  expect(await readdir(out).catch(() => [])).toEqual([]);
  return e;
}

describe('mergeShards', () => {
  it('makes one run of the shards: cases in suite order, every sample under the merged run id, each shard kept as provenance', async () => {
    const shards = await two();
    const { run, samples, warnings } = await mergeShards(shards, path.join(dir, 'merged'));
    expect(warnings).toEqual([]);
    expect(samples).toBe(8);
    const merged = await openRun(run.dir);
    const r = merged.record;
    expect(r.id).toMatch(/^20261206-100100-quick-[0-9a-f]{4}$/);
    expect(r.status).toBe('completed');
    expect(r.startedAt).toBe('2026-12-06T10:01:00.000Z');
    expect(r.endedAt).toBe([shards[0]!.record.endedAt, shards[1]!.record.endedAt].sort().at(-1));
    expect(r.cases.map((c) => c.id)).toEqual(IDS);
    expect(r.cases.every((c) => c.status === 'completed' && c.repetitionsDone === 2)).toBe(true);
    expect(r.shard).toBeUndefined();
    expect(r.suite).toEqual(shards[0]!.record.suite);
    expect(r.image).toEqual(shards[0]!.record.image);
    expect(r.hosts.map((h) => h.hostname)).toEqual(['runner-1', 'runner-2']);
    expect(r.backends).toHaveLength(1);
    expect(r.merged?.shards).toEqual(
      shards.map((s, i) => ({
        index: i + 1,
        run: s.id,
        status: 'completed',
        startedAt: s.record.startedAt,
        endedAt: s.record.endedAt,
        hvbench: s.record.hvbench,
        writer: s.record.writer,
        hosts: s.record.hosts,
        cases: s.record.cases.map((c) => c.id),
        samples: 4,
      })),
    );
    const read = await readSamples(merged);
    expect(read.warnings).toEqual([]);
    expect(read.samples).toHaveLength(8);
    expect(new Set(read.samples.map((s) => s.dims.run))).toEqual(new Set([run.id]));
    const before = (await Promise.all(shards.map(readSamples))).flatMap((x) => x.samples);
    expect(read.samples.map(({ dims: { run: _, ...dims }, ...s }) => ({ ...s, dims }))).toEqual(
      before.map(({ dims: { run: _, ...dims }, ...s }) => ({ ...s, dims })),
    );
    for (const c of r.cases) expect(await readFile(path.join(run.dir, c.logs![0]!), 'utf8')).toBe(`console of ${c.id}\n`);
  });

  it('merges an empty shard (more shards than groups): it adds its host and nothing else', async () => {
    const runs = [
      await shardRun({ index: 1, count: 3, positions: [0, 2] }),
      await shardRun({ index: 2, count: 3, positions: [1, 3] }),
      await shardRun({ index: 3, count: 3, positions: [], shard: { groups: 0 } }),
    ];
    const { run, samples } = await mergeShards(runs, path.join(dir, 'merged'));
    expect(samples).toBe(8);
    expect(run.record.cases.map((c) => c.id)).toEqual(IDS);
    expect(run.record.merged?.shards.map((s) => [s.index, s.cases.length, s.samples])).toEqual([
      [1, 2, 4],
      [2, 2, 4],
      [3, 0, 0],
    ]);
  });

  it('gives the shards in any order', async () => {
    const [a, b] = await two();
    const { run } = await mergeShards([b!, a!], path.join(dir, 'merged'));
    expect(run.record.cases.map((c) => c.id)).toEqual(IDS);
    expect(run.record.merged?.shards.map((s) => s.run)).toEqual([a!.id, b!.id]);
  });

  it('records a failed shard: the merged run is failed, with the shard named in its error', async () => {
    const a = await shardRun({ index: 1, positions: [0, 2] });
    const b = await shardRun({ index: 2, positions: [1, 3], status: 'failed' });
    const { run } = await mergeShards([a, b], path.join(dir, 'merged'));
    expect(run.record.status).toBe('failed');
    expect(run.record.error?.message).toBe(`shard 2/2 (${b.id}): a fault`);
    expect(run.record.merged?.shards[1]?.error).toEqual({ message: 'a fault', code: 'results-write' });
  });

  it('leaves out a log that is a symbolic link, with a warning', async () => {
    const [a, b] = await two();
    await symlink('/etc/hostname', path.join(a!.dir, 'logs', 'evil.log'));
    const { run, warnings } = await mergeShards([a!, b!], path.join(dir, 'merged'));
    expect(warnings).toEqual([`${path.join(a!.dir, 'logs', 'evil.log')}: left out of the merged run: not a regular file`]);
    expect(await readdir(path.join(run.dir, 'logs'))).not.toContain('evil.log');
  });
});

describe('mergeShards refuses, naming the differences', () => {
  it('a run that is not a shard', async () => {
    const [a] = await two();
    const plain = await openRun((await createRun(path.join(dir, 'plain'), newRun())).dir);
    const e = await refusal([a!, plain]);
    expect(e.message).toContain(`run ${plain.id} is not a shard (its run.json has no "shard"): only runs of \`hvbench run --shard i/N\` merge`);
  });

  it('a merged run given as a shard', async () => {
    const shards = await two();
    const { run } = await mergeShards(shards, path.join(dir, 'first'));
    const e = await refusal([...shards, await openRun(run.dir)].slice(1));
    expect(e.message).toContain(`run ${run.id} is itself a merged run, not a shard`);
  });

  it('shards of different suites, naming the fields that differ', async () => {
    const a = await shardRun({ index: 1, positions: [0, 2] });
    const b = await shardRun({
      index: 2,
      positions: [1, 3],
      init: { suite: { name: 'quick', file: 'suites/quick.ts', resolved: { name: 'quick', repetitions: 5 } } },
    });
    const e = await refusal([a, b]);
    expect(e.message).toContain(
      `the resolved suite differs (fields repetitions): hash ${suiteHash(a.record)} in shard 1/2 (${a.id}); hash ${suiteHash(b.record)} in shard 2/2 (${b.id})`,
    );
    expect(suiteHash(a.record)).not.toBe(suiteHash(b.record));
  });

  it('shards with different command-line choices', async () => {
    const a = await shardRun({ index: 1, positions: [0, 2], init: { suite: { ...newRun().suite, overrides: { backends: ['tcg'] } } } });
    const b = await shardRun({ index: 2, positions: [1, 3] });
    const e = await refusal([a, b]);
    expect(e.message).toContain(`the command-line choices differs: {"backends":["tcg"]} in shard 1/2 (${a.id}); {} in shard 2/2 (${b.id})`);
  });

  it('shards of different guest images', async () => {
    const a = await shardRun({ index: 1, positions: [0, 2] });
    const b = await shardRun({ index: 2, positions: [1, 3], init: { image: { id: 'img-2', hash: 'def456' } } });
    const e = await refusal([a, b]);
    expect(e.message).toContain(`the guest image differs: image img-1 (hash abc123) in shard 1/2 (${a.id}); image img-2 (hash def456) in shard 2/2 (${b.id})`);
  });

  it('shards of different hvbench revisions', async () => {
    const a = await shardRun({ index: 1, positions: [0, 2] });
    const b = await shardRun({ index: 2, positions: [1, 3], init: { hvbench: { version: '0.1.0', revision: 'f00d' } } });
    const e = await refusal([a, b]);
    expect(e.message).toContain(`hvbench differs: hvbench 0.1.0 at unknown in shard 1/2 (${a.id}); hvbench 0.1.0 at f00d in shard 2/2 (${b.id})`);
  });

  it('shards of different shard counts or splits', async () => {
    const a = await shardRun({ index: 1, positions: [0, 2] });
    const b = await shardRun({ index: 2, count: 3, positions: [1, 3], shard: { of: { ...OF, digest: 'ffffffffffffffff' } } });
    const e = await refusal([a, b]);
    expect(e.message).toContain(`the shard count differs: N = 2 in shard 1/2 (${a.id}); N = 3 in shard 2/3 (${b.id})`);
    expect(e.message).toContain('the split differs: 4 cases in 2 groups, digest 0123456789abcdef in shard 1/2');
  });

  it('a missing shard', async () => {
    const a = await shardRun({ index: 1, count: 3, positions: [0, 2] });
    const e = await refusal([a]);
    expect(e.message).toContain('shards 2/3, 3/3 missing: every shard of the split must be given');
  });

  it('a shard given twice (two runs of the same shard)', async () => {
    const a = await shardRun({ index: 1, positions: [0, 2] });
    const stored = await createRun(path.join(dir, 'again'), newRun({ cases: a.record.cases, shard: a.record.shard }));
    await finishRun(stored, 'completed');
    const again = await openRun(stored.dir);
    const b = await shardRun({ index: 2, positions: [1, 3] });
    const e = await refusal([a, again, b]);
    expect(e.message).toContain(`shard 1/2 is given 2 times: ${a.id} (${a.dir}), ${again.id} (${again.dir}); give one run per shard`);
  });

  it('the same run folder given twice', async () => {
    const [a, b] = await two();
    const e = await refusal([a!, b!, a!]);
    expect(e.message).toContain(`run ${a!.id} is given twice`);
  });

  it('a shard still running (or cut short)', async () => {
    const a = await shardRun({ index: 1, positions: [0, 2] });
    const b = await shardRun({ index: 2, positions: [1, 3], status: 'running' });
    const e = await refusal([a, b]);
    expect(e.message).toContain(`shard 2/2 (${b.id}) is still running, or was cut short (run.json says "running")`);
  });

  it('shards whose cases overlap, or miss some', async () => {
    const overlap = await refusal([await shardRun({ index: 1, positions: [0, 2] }), await shardRun({ index: 2, positions: [2, 3] })]);
    expect(overlap.message).toMatch(/case 3 of 4 is in both shard 1\/2 \(\S+\) and shard 2\/2/);
    await rm(dir, { recursive: true });
    await mkdir(dir);
    const short = await refusal([await shardRun({ index: 1, positions: [0] }), await shardRun({ index: 2, positions: [1, 3] })]);
    expect(short.message).toContain("the shards hold 3 of the split's 4 cases");
  });

  it('lists every problem at once', async () => {
    const a = await shardRun({ index: 1, count: 3, positions: [0, 2] });
    const b = await shardRun({ index: 2, positions: [1, 3], init: { image: { id: 'img-2', hash: 'def456' } } });
    expect(mergeProblems([a, b]).map((p) => p.split(':')[0])).toEqual(['the shard count differs', 'the guest image differs']);
  });

  it.each([
    [{ index: 3 }, 'expected index, a whole number from 1 to count (2)'],
    [{ count: 1e9, index: 1 }, 'expected count, a whole number from 1 to 10000'],
    [{ of: { cases: 1e15, groups: 2, digest: 'x' } }, 'expected of: { cases (0 to 1000000), groups, digest }'],
    [{ positions: [0, -1] }, 'expected positions, a list of case positions'],
  ])('a damaged shard record (%j), before anything is made of its sizes', async (damage, message) => {
    const a = await shardRun({ index: 1, positions: [0, 2] });
    const b = await shardRun({ index: 2, positions: [1, 3], shard: damage as Partial<ShardRecord> });
    const e = await refusal([a, b]);
    expect(e.message).toContain(`run ${b.id} has a damaged "shard" in its run.json: ${message}`);
  });

  it('no runs at all', () => {
    expect(mergeProblems([])).toEqual(['no runs given: name the run folder of every shard']);
  });
});
