import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, Capability, ProbeOptions } from '../../src/backends/common/backend.ts';
import { formatDoctor, runDoctor } from '../../src/cli/commands/doctor.ts';
import { orphanQemu, vmFolder } from '../../src/backends/qemu/leftovers.ts';
import { describeLeftovers } from '../../src/cli/leftovers.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { SCRATCH_DIR } from '../../src/results/scratch-dir.ts';
import { createRun, updateRun } from '../../src/results/store.ts';
import { findAllLeftovers, removeLeftovers, type LeftoverReport } from '../../src/runner/leftovers.ts';
import { newRun } from '../results/fixtures.ts';
import { noNetnsHost } from '../support/unused-host-methods.ts';

/** A backend whose probe answers `capability` and remembers how it was asked. */
function fakeBackend(capability: Capability, calls: ProbeOptions[]): Backend {
  return {
    name: capability.backend,
    devices() {
      throw new Error('doctor never asks for devices');
    },
    network: 'none',
    factDims: [],
    async probe(_host, options = {}) {
      calls.push(options);
      options.log?.(`${capability.backend}: probing`);
      return capability;
    },
    async launch() {
      throw new Error('doctor never launches');
    },
  };
}

const tcg: Capability = { backend: 'tcg', available: true, reason: 'QEMU 7.2.22, TCG accelerator available', facts: { qemu: '7.2.22' } };
const kvm: Capability = {
  backend: 'kvm',
  available: false,
  reason: 'KVM present but cannot boot Linux guests: the canary guest did not reach its agent within 60 s',
  facts: { canary: 'no-progress' },
  hint: "this host's KVM is kvm_pvm (PVM)",
};

const NONE: LeftoverReport = { backends: [], networks: [], runs: [], cacheTemps: [] };
const noLeftovers = async () => NONE;

/** One leftover of each kind, as findAllLeftovers reports them. */
const SOME: LeftoverReport = {
  backends: [
    orphanQemu({ pid: 4321, start: 987654, dir: '/tmp/hvbench-tcg-AbC123', owner: { pid: 1234, start: 5555 } }),
    vmFolder('/tmp/hvbench-tcg-AbC123'),
    vmFolder('/tmp/hvbench-kvm-XyZ789'),
  ],
  networks: [
    {
      name: 'hvb-1234-5555-a1b2',
      owner: { pid: 1234, start: 5555 },
      netns: 'hvb-1234-5555-a1b2',
      peers: [{ pid: 4400, start: 987700 }],
      tempDir: undefined,
      hasState: true,
    },
  ],
  runs: [
    { dir: 'results/20250314-092653-quick-ab12', id: '20250314-092653-quick-ab12', writerPid: 1234, scratch: 'results/20250314-092653-quick-ab12/scratch' },
  ],
  cacheTemps: ['/var/cache/hvbench/labs/images/.tmp-a3c4a5ffc2e47485-0f1e2d3c4b5a'],
};

describe('hvbench doctor', () => {
  it('prints one line per backend, a hint under it, and progress apart from the answers', async () => {
    const calls: ProbeOptions[] = [];
    let out = '';
    const progress: string[] = [];
    const report = await runDoctor(
      [fakeBackend(tcg, calls), fakeBackend(kvm, calls)],
      new LocalHost(),
      {},
      { out: (t) => (out += t), progress: (l) => progress.push(l), leftovers: noLeftovers },
    );
    expect(report).toEqual({ backends: [tcg, kvm], leftovers: [] });
    expect(out).toBe(
      [
        'tcg  yes  QEMU 7.2.22, TCG accelerator available',
        'kvm  no   KVM present but cannot boot Linux guests: the canary guest did not reach its agent within 60 s',
        "          hint: this host's KVM is kvm_pvm (PVM)",
        '',
        'leftovers: none',
        '',
      ].join('\n'),
    );
    expect(progress).toEqual(['tcg: probing', 'kvm: probing']);
    expect(calls.map((c) => c.recheck)).toEqual([undefined, undefined]);
  });

  it('--recheck asks every probe to gather its cached evidence again; --json prints the answers as they are, and the leftovers', async () => {
    const calls: ProbeOptions[] = [];
    let out = '';
    await runDoctor(
      [fakeBackend(kvm, calls)],
      new LocalHost(),
      { recheck: true, json: true },
      { out: (t) => (out += t), progress: () => {}, leftovers: noLeftovers },
    );
    expect(calls.map((c) => c.recheck)).toEqual([true]);
    expect(JSON.parse(out)).toEqual({ backends: [kvm], leftovers: [] });
  });

  it('lists leftovers after the backends: the same lines as text, and with their facts in --json', async () => {
    let text = '';
    await runDoctor([fakeBackend(tcg, [])], new LocalHost(), {}, { out: (t) => (text += t), progress: () => {}, leftovers: async () => SOME });
    const lines = [
      'QEMU process 4321 in /tmp/hvbench-tcg-AbC123 (its hvbench, process 1234, is gone)',
      'VM folder /tmp/hvbench-tcg-AbC123',
      'VM folder /tmp/hvbench-kvm-XyZ789',
      'network hvb-1234-5555-a1b2 (namespace hvb-1234-5555-a1b2), 1 peer process(es)',
      'run results/20250314-092653-quick-ab12 says "running" but its process 1234 is gone; scratch disks in results/20250314-092653-quick-ab12/scratch',
      'unfinished cache entry /var/cache/hvbench/labs/images/.tmp-a3c4a5ffc2e47485-0f1e2d3c4b5a (a build or download cut short)',
    ];
    expect(describeLeftovers(SOME)).toEqual(lines);
    expect(text).toBe(`tcg  yes  QEMU 7.2.22, TCG accelerator available\n\nleftovers (remove with hvbench clean):\n${lines.map((l) => `  ${l}\n`).join('')}`);

    let json = '';
    await runDoctor([fakeBackend(tcg, [])], new LocalHost(), { json: true }, { out: (t) => (json += t), progress: () => {}, leftovers: async () => SOME });
    expect(JSON.parse(json)).toEqual({
      backends: [tcg],
      leftovers: [
        { kind: 'qemu-process', what: lines[0], pid: 4321, dir: '/tmp/hvbench-tcg-AbC123', ownerPid: 1234 },
        { kind: 'vm-folder', what: lines[1], path: '/tmp/hvbench-tcg-AbC123' },
        { kind: 'vm-folder', what: lines[2], path: '/tmp/hvbench-kvm-XyZ789' },
        { kind: 'network', what: lines[3], name: 'hvb-1234-5555-a1b2', netns: 'hvb-1234-5555-a1b2', peerPids: [4400], ownerPid: 1234 },
        {
          kind: 'run',
          what: lines[4],
          path: 'results/20250314-092653-quick-ab12',
          id: '20250314-092653-quick-ab12',
          writerPid: 1234,
          scratch: 'results/20250314-092653-quick-ab12/scratch',
        },
        { kind: 'cache-temp', what: lines[5], path: '/var/cache/hvbench/labs/images/.tmp-a3c4a5ffc2e47485-0f1e2d3c4b5a' },
      ],
    });
  });

  it('formats an empty hint as no hint line', () => {
    expect(formatDoctor([{ ...tcg, hint: '' }])).toBe('tcg  yes  QEMU 7.2.22, TCG accelerator available\n');
  });
});

describe('hvbench doctor --json with leftovers found on this machine', () => {
  let dir: string;
  let results: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvb-doctor-'));
    results = join(dir, 'results');
    await mkdir(join(dir, 'tmp'));
    await mkdir(join(dir, 'net'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const noNetns = noNetnsHost;
  const find = () =>
    findAllLeftovers({ resultsDir: results, tmpDir: join(dir, 'tmp'), stateDir: join(dir, 'net'), cacheDir: join(dir, 'cache'), host: noNetns });
  const doctorJson = async () => {
    let out = '';
    await runDoctor([fakeBackend(tcg, [])], new LocalHost(), { json: true }, { out: (t) => (out += t), progress: () => {}, leftovers: find });
    return JSON.parse(out) as { backends: Capability[]; leftovers: Record<string, unknown>[] };
  };

  it('an empty list when nothing was left behind', async () => {
    const run = await createRun(results, newRun());
    expect(run.record.status).toBe('running'); // its writer, this process, is alive
    expect(await doctorJson()).toEqual({ backends: [tcg], leftovers: [] });
  });

  it('a run whose process was killed, with its scratch disks', async () => {
    const run = await createRun(results, newRun());
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await updateRun(run, (r) => (r.writer.pid = gone));
    await mkdir(join(run.dir, SCRATCH_DIR));
    await writeFile(join(run.dir, SCRATCH_DIR, 'disk-0.img'), '');
    const json = await doctorJson();
    expect(json.backends).toEqual([tcg]);
    expect(json.leftovers).toEqual([
      {
        kind: 'run',
        what: `run ${run.dir} says "running" but its process ${gone} is gone; scratch disks in ${join(run.dir, SCRATCH_DIR)}`,
        path: run.dir,
        id: run.record.id,
        writerPid: gone,
        scratch: join(run.dir, SCRATCH_DIR),
      },
    ]);
  });

  it('unfinished cache entries an hour old: a lab image folder and a package download cut short; newer ones and finished entries are left alone', async () => {
    const cache = join(dir, 'cache');
    const old = new Date(Date.now() - 2 * 3600_000);
    const labTemp = join(cache, 'labs', 'images', '.tmp-a3c4a5ffc2e47485-0f1e2d3c4b5a');
    const debTemp = join(cache, 'debs', 'fio_3.33-3_amd64.deb.tmp-0123456789ab');
    const fresh = join(cache, 'images', '.tmp-47c11edb5ed7c775-aabbccddeeff');
    for (const d of [labTemp, fresh, join(cache, 'labs', 'images', 'a3c4a5ffc2e47485'), join(cache, 'debs')]) await mkdir(d, { recursive: true });
    await writeFile(debTemp, 'part');
    await writeFile(join(cache, 'debs', 'fio_3.33-3_amd64.deb'), 'whole');
    for (const p of [labTemp, debTemp, join(cache, 'labs', 'images', 'a3c4a5ffc2e47485'), join(cache, 'debs', 'fio_3.33-3_amd64.deb')])
      await utimes(p, old, old);
    const json = await doctorJson();
    expect(json.leftovers).toEqual([
      { kind: 'cache-temp', what: `unfinished cache entry ${debTemp} (a build or download cut short)`, path: debTemp },
      { kind: 'cache-temp', what: `unfinished cache entry ${labTemp} (a build or download cut short)`, path: labTemp },
    ]);
    const removed = await removeLeftovers(await find(), { resultsDir: results });
    expect(removed).toEqual({ removed: [`unfinished cache entry ${debTemp}`, `unfinished cache entry ${labTemp}`], problems: [] });
    expect(existsSync(labTemp) || existsSync(debTemp)).toBe(false);
    expect(existsSync(fresh) && existsSync(join(cache, 'debs', 'fio_3.33-3_amd64.deb'))).toBe(true);
  });
});
