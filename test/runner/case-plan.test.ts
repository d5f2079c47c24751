import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, VmSpec } from '../../src/backends/common/backend.ts';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';
import { DEFAULT_DISK_PATH } from '../../src/devices/models.ts';
import type { ExecResult, Host } from '../../src/hosts/host.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { execSetup } from '../../src/hosts/remote-retry.ts';
import type { RunRecord } from '../../src/results/run-record.ts';
import { scratchProblem, type HostState, type RunHost } from '../../src/runner/case-plan.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { fakeBackend, fakeImage, fioDiskTranscript, stepTranscript } from './fake-backend.ts';

const image = fakeImage(['sysbench', 'fio']);

const sysbench = '    events per second:  1000\n         avg:    1.00\n         95th percentile:   2.00\n';

/** A guest that runs the cpu workload, or finds its virtio-blk disk and runs the four fio jobs. */
function guest(seen: VmSpec[], like: Backend) {
  return fakeBackend(
    (say, nonce, spec) => {
      seen.push(spec);
      if (spec.disks.length === 0) return stepTranscript(say, nonce, 'cpu', sysbench);
      fioDiskTranscript(say, nonce, 'virtio_blk');
    },
    'fake',
    like,
  );
}

/**
 * This machine dressed as a remote host: its commands run here, but `dd oflag=direct` is
 * refused outside `direct` (as tmpfs of Linux before 6.6 and ramfs refuse it), and ssh
 * "loses" the first run of each program in `lose` (exit 255, nothing said).
 */
function farHost(o: { direct: string[]; lose?: string[] }): Host {
  const local = new LocalHost('far');
  const lost = new Set<string>();
  return {
    name: 'far',
    kind: 'remote',
    async exec(argv, options): Promise<ExecResult> {
      const program = argv[0] ?? '';
      if (o.lose?.includes(program) && !lost.has(program)) {
        lost.add(program);
        return { exitCode: 255, stdout: '', stderr: '' };
      }
      const of = argv.find((a) => a.startsWith('of='))?.slice(3);
      if (program === 'dd' && argv.includes('oflag=direct') && of !== undefined && !o.direct.some((d) => of.startsWith(`${d}/`))) {
        return { exitCode: 1, stdout: '', stderr: `dd: failed to open '${of}': Invalid argument\n` };
      }
      return local.exec(argv, options);
    },
    spawn: (argv, options) => local.spawn(argv, options),
    readFile: (path) => local.readFile(path),
    makeTempDir: (prefix) => local.makeTempDir(prefix),
    removeTree: (path) => local.removeTree(path),
    writeFile: (path, data) => local.writeFile(path, data),
    putFile: (path) => local.putFile(path),
    connectUnix: (path) => local.connectUnix(path),
    signalGroup: (pgid, signal) => local.signalGroup(pgid, signal),
  };
}

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'hvb-case-plan-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

function run(registry: Record<string, Backend>, host: Host, config: Partial<RunHost['config']> = {}) {
  const deps = { workloads, backends: Object.keys(registry) };
  const suite = resolveSuite(
    {
      name: 's',
      backends: Object.keys(registry),
      repetitions: 1,
      workloads: [{ workload: 'cpu' }, { workload: 'disk', params: { sizeMiB: 16, runtimeSec: 2 } }],
    },
    deps,
    'suite.ts',
  );
  const hosts: RunHost[] = [{ config: { name: 'far', kind: 'remote', backends: Object.keys(registry), ...config }, host }];
  return runSuite({
    suite,
    suiteFile: 'suite.ts',
    cases: expandSuite(suite, deps),
    outDir: join(out, 'results'),
    image,
    host: new LocalHost(),
    hosts,
    backends: (n) => registry[n]!,
    workloads,
  });
}

const statusOf = (record: RunRecord) => Object.fromEntries(record.cases.map((c) => [c.workload, c.status]));

describe('a remote host whose scratch folders refuse O_DIRECT', () => {
  it('skips the disk cases of a backend that opens disks with O_DIRECT at planning, naming the host, the folders and what they said', async () => {
    const seen: VmSpec[] = [];
    const { run: stored } = await run({ fake: guest(seen, tcgBackend) }, farHost({ direct: [] }));
    expect(statusOf(stored.record)).toEqual({ cpu: 'completed', disk: 'skipped' });
    const message = stored.record.cases[1]!.error!.message;
    expect(message).toMatch(/^QEMU TCG opens this case's disk with O_DIRECT, and no scratch folder on host far takes O_DIRECT: /);
    expect(message).toMatch(/\/tmp: no O_DIRECT \(dd: failed to open '\/tmp\/\.hvbench-odirect-[0-9a-f]+': Invalid argument\); \/var\/tmp: no O_DIRECT/);
    expect(message).toMatch(/; set scratchDir for it in the hosts file to a folder on a file system that takes O_DIRECT/);
    // Never booted: no VMM was asked to open the disk.
    expect(seen.every((s) => s.disks.length === 0)).toBe(true);
  });

  it('runs the disk cases of a backend that needs no O_DIRECT there (a Xen dom0 in memory)', async () => {
    const seen: VmSpec[] = [];
    const { diskDirectIo: _, ...noDirect } = guest(seen, tcgBackend);
    const { run: stored } = await run({ fake: noDirect }, farHost({ direct: [] }));
    expect(statusOf(stored.record)).toEqual({ cpu: 'completed', disk: 'completed' });
    expect(seen.find((s) => s.disks.length > 0)?.disks[0]?.path).toMatch(/^\/tmp\/hvbench-scratch-[0-9A-Za-z]+\/case-2\.raw$/);
  });

  it('skips them with the scratchDir named when the hosts file chose a folder without O_DIRECT', async () => {
    const scratch = join(out, 'ram');
    await mkdir(scratch);
    const { run: stored } = await run({ fake: guest([], tcgBackend) }, farHost({ direct: [] }), { scratchDir: scratch });
    expect(stored.record.cases[1]!.error!.message).toMatch(
      new RegExp(`no scratch folder on host far takes O_DIRECT: ${scratch}: no O_DIRECT \\(.*\\); choose a scratchDir on a file system that takes O_DIRECT`),
    );
  });

  it("puts the disks in a private folder in the host's scratchDir when it takes O_DIRECT, and removes only that folder", async () => {
    const scratch = join(out, 'disk');
    await mkdir(scratch);
    const seen: VmSpec[] = [];
    const { run: stored } = await run({ fake: guest(seen, tcgBackend) }, farHost({ direct: [scratch] }), { scratchDir: scratch });
    expect(statusOf(stored.record)).toEqual({ cpu: 'completed', disk: 'completed' });
    const path = seen.find((s) => s.disks.length > 0)?.disks[0]?.path ?? '';
    expect(path.startsWith(`${scratch}/hvbench-scratch-`)).toBe(true);
    expect(existsSync(path)).toBe(false);
    expect(await readdir(scratch)).toEqual([]);
  });
});

describe('setup commands ssh lost', () => {
  it('are recorded in run.json: the inspection in the run, the rest in their case with the step', async () => {
    const scratch = join(out, 'disk');
    await mkdir(scratch);
    const inner = guest([], tcgBackend);
    // A backend whose launch makes something on the host first, as QEMU makes its VM folder.
    const backend: Backend = {
      ...inner,
      async launch(vm, host) {
        await execSetup(host, ['touch', join(scratch, 'vm')]);
        return inner.launch(vm, host);
      },
    };
    const host = farHost({ direct: [scratch], lose: ['dd', 'mkdir', 'qemu-img', 'touch'] });
    const { run: stored } = await run({ fake: backend }, host, { scratchDir: scratch });
    const retry = (command: string, during: string) => ({ host: 'far', command, attempt: 1, during, at: expect.any(String) });
    expect(statusOf(stored.record)).toEqual({ cpu: 'completed', disk: 'completed' });
    expect(stored.record.retries).toEqual([retry('dd', 'inspection')]);
    // The first case makes the run's scratch folder; its boot makes the VM's file.
    expect(stored.record.cases[0]!.retries).toEqual([retry('mkdir', 'setup'), retry('touch', 'repetition 1')]);
    expect(stored.record.cases[1]!.retries).toEqual([retry('qemu-img', 'setup')]);
    const onDisk = JSON.parse(readFileSync(join(stored.dir, 'run.json'), 'utf8')) as RunRecord;
    expect(onDisk.retries).toEqual(stored.record.retries);
    expect(onDisk.cases[1]!.retries).toEqual(stored.record.cases[1]!.retries);
  });
});

describe('scratchProblem', () => {
  const state = (scratch: HostState['scratch']): HostState => ({
    run: { config: { name: 'far', kind: 'remote', backends: ['tcg'] }, host: farHost({ direct: [] }) },
    capabilities: new Map(),
    ...(scratch ? { scratch } : {}),
  });
  const noDirect = {
    base: '/tmp',
    directIo: false,
    writable: true,
    configured: false,
    tried: [{ folder: '/tmp', directIo: false, writable: true, said: 'Invalid argument' }],
  };
  const disk = { model: 'virtio-blk', io: 'paravirtual' as const, sizeMiB: 16 };

  it('asks the backend about the case cache mode: only modes that open with O_DIRECT need it', () => {
    expect(scratchProblem(disk, tcgBackend, state(noDirect))).toMatch(/^QEMU TCG opens this case's disk with O_DIRECT, and no scratch folder on host far/);
    expect(scratchProblem({ ...disk, path: { ...DEFAULT_DISK_PATH, cache: 'directsync' } }, tcgBackend, state(noDirect))).toMatch(
      /O_DIRECT \(cache=directsync\)/,
    );
    expect(scratchProblem({ ...disk, path: { ...DEFAULT_DISK_PATH, cache: 'writeback' } }, tcgBackend, state(noDirect))).toBeUndefined();
    expect(scratchProblem(disk, tcgBackend, state({ ...noDirect, directIo: true }))).toBeUndefined();
    expect(scratchProblem(disk, tcgBackend, state(undefined))).toBeUndefined();
  });

  it('refuses every disk where nothing can be written, or the check did not finish', () => {
    const { diskDirectIo: _, ...plain } = tcgBackend;
    const readOnly = {
      ...noDirect,
      writable: false,
      configured: true,
      base: '/ro',
      tried: [{ folder: '/ro', directIo: false, writable: false, said: 'Read-only file system' }],
    };
    expect(scratchProblem(disk, plain, state(readOnly))).toBe(
      "host far has nowhere to put this case's scratch disk: its scratchDir /ro (hosts file) cannot be written (/ro: cannot be written (Read-only file system))",
    );
    expect(scratchProblem(disk, plain, state({ failed: 'ssh: connection closed' }))).toBe(
      'the scratch folder of host far could not be checked: ssh: connection closed',
    );
  });
});
