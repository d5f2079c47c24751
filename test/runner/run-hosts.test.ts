import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/common/backend.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import type { Host } from '../../src/hosts/host.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { runSuite, type RunHost } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { unusedHostMethods } from '../support/unused-host-methods.ts';
import { fakeBackend, fakeImage, stepTranscript } from './fake-backend.ts';
import { xenBackend } from '../../src/backends/xen/xen.ts';

const image = fakeImage();
const sysbench = `    events per second:  100\n         avg:    1.00\n         95th percentile:   2.00\n`;
let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'hvb-hosts-run-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

/** A remote host whose ssh cannot connect. */
function unreachable(name: string): Host {
  const refused = { exitCode: 255, stdout: '', stderr: 'ssh: connect to host 192.0.2.1 port 22: Connection refused\n' };
  return {
    name,
    kind: 'remote',
    ...unusedHostMethods,
    exec: async () => refused,
    spawn: () => {
      throw new Error('must not start anything on an unreachable host');
    },
    readFile: async () => {
      throw new Error('unreachable');
    },
    makeTempDir: async () => {
      throw new Error('unreachable');
    },
    removeTree: async () => {},
  };
}

/** Wraps a backend to count the guests running at once, overall and per host. */
function counting(inner: Backend) {
  const perHost = new Map<string, number>();
  const stats = { maxOverall: 0, maxPerHost: 0, hosts: [] as string[] };
  let overall = 0;
  const backend: Backend = {
    ...inner,
    async launch(spec, host) {
      const vm = await inner.launch(spec, host);
      overall++;
      perHost.set(host.name, (perHost.get(host.name) ?? 0) + 1);
      stats.hosts.push(host.name);
      stats.maxOverall = Math.max(stats.maxOverall, overall);
      stats.maxPerHost = Math.max(stats.maxPerHost, ...perHost.values());
      const ended = vm.wait().then(async (exit) => {
        await new Promise((r) => setTimeout(r, 30));
        overall--;
        perHost.set(host.name, perHost.get(host.name)! - 1);
        return exit;
      });
      return { ...vm, wait: () => ended, kill: vm.kill, usage: vm.usage, onConsole: vm.onConsole, vmmLog: vm.vmmLog, pid: vm.pid, accel: vm.accel };
    },
  };
  return { backend, stats };
}

function go(registry: Record<string, Backend>, suiteInput: object, hosts: RunHost[]) {
  const deps = { workloads, backends: Object.keys(registry) };
  const suite = resolveSuite(suiteInput, deps, 'suite.ts');
  return runSuite({
    suite,
    suiteFile: 'suite.ts',
    cases: expandSuite(suite, deps),
    outDir: out,
    image,
    host: new LocalHost(),
    hosts,
    backends: (n) => registry[n]!,
    workloads,
  });
}

describe('running on several hosts', () => {
  it('fails the cases of a host that does not answer, with the cause, and runs the others', async () => {
    const fake = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench));
    const other = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench), 'other');
    const hosts: RunHost[] = [
      { config: { name: 'here', kind: 'local', backends: ['fake'] }, host: new LocalHost('here') },
      { config: { name: 'far', kind: 'remote', backends: ['other'] }, host: unreachable('far') },
    ];
    const { run, samples } = await go({ fake, other }, { name: 's', backends: ['fake', 'other'], repetitions: 2, workloads: [{ workload: 'cpu' }] }, hosts);
    expect(run.record.cases.map((c) => [c.id, c.status, c.host])).toEqual([
      ['fake/cpu', 'completed', 'here'],
      ['other/cpu', 'failed', 'far'],
    ]);
    expect(run.record.cases[1]?.error?.message).toBe(
      'host far is unreachable: host far did not answer: ssh: connect to host 192.0.2.1 port 22: Connection refused',
    );
    expect(other.launched).toHaveLength(0);
    expect(samples.every((s) => s.dims.host === 'here' && s.dims.host_kind === 'local')).toBe(true);
    expect(run.record.hosts.map((h) => [h.name, h.kind])).toEqual([['here', 'local']]);
    expect(run.record.backends).toContainEqual(expect.objectContaining({ backend: 'other', host: 'far', available: false }));
  });

  it('runs different hosts in parallel and one guest at a time on each host', async () => {
    const { backend, stats } = counting(fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench)));
    const hosts: RunHost[] = ['a', 'b'].map((name) => ({ config: { name, kind: 'local' as const, backends: ['fake'] }, host: new LocalHost(name) }));
    const { run, samples } = await go(
      { fake: backend },
      { name: 's', backends: ['fake'], repetitions: 3, workloads: [{ workload: 'cpu', params: { threads: [1, 2, 3, 4] } }] },
      hosts,
    );
    expect(run.record.cases.map((c) => c.host)).toEqual(['a', 'b', 'a', 'b']);
    expect(run.record.cases.every((c) => c.status === 'completed')).toBe(true);
    expect(stats.maxPerHost).toBe(1);
    expect(stats.maxOverall).toBe(2);
    // Every repetition has its own place in the run's order, across hosts.
    const seqs = samples.filter((s) => s.metric === 'cpu.events_per_s').map((s) => s.dims.seq);
    expect(new Set(seqs).size).toBe(12);
  });

  it('skips a case no selected host offers, naming what each host offers', async () => {
    const fake = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench));
    const xen = fakeBackend(() => undefined, 'xen', xenBackend);
    const hosts: RunHost[] = [{ config: { name: 'here', kind: 'local', backends: ['fake'] }, host: new LocalHost('here') }];
    const { run } = await go({ fake, xen }, { name: 's', backends: ['fake', 'xen'], repetitions: 1, workloads: [{ workload: 'cpu' }] }, hosts);
    expect(run.record.cases.map((c) => [c.id, c.status, c.error?.message])).toEqual([
      ['fake/cpu', 'completed', undefined],
      ['xen:pvh/cpu', 'skipped', 'no selected host offers backend xen (here offers fake)'],
    ]);
  });

  it("opens a Xen case's network with the dom0 provider (never the local namespace one), and fails the case with why when there is none", async () => {
    const xen = fakeBackend(() => undefined, 'xen', xenBackend);
    const deps = { workloads, backends: ['xen'] };
    const suite = resolveSuite({ name: 's', backends: ['xen'], xenTypes: ['pv'], repetitions: 1, workloads: [{ workload: 'net' }] }, deps, 'suite.ts');
    const hosts: RunHost[] = [{ config: { name: 'dom0', kind: 'local', backends: ['xen'] }, host: new LocalHost('dom0') }];
    const asked: string[] = [];
    const local = { open: async () => Promise.reject(new Error('the local namespace provider must not serve a Xen case')) };
    const dom0 = {
      open: async (request: { caseId: string; model: string; host: Host }) => {
        asked.push(`${request.caseId} ${request.model} on ${request.host.name}`);
        throw new Error('no bridge today');
      },
    };
    const netImage = { ...image, manifest: { ...image.manifest, tools: ['sysbench', 'iperf3', 'sockperf'] } } as GuestImage;
    const base = {
      suite,
      suiteFile: 'suite.ts',
      cases: expandSuite(suite, deps),
      image: netImage,
      host: new LocalHost(),
      hosts,
      backends: () => xen,
      workloads,
      networks: { 'host-netns': local },
    };
    const withProvider = await runSuite({ ...base, outDir: join(out, 'a'), networks: { ...base.networks, 'host-bridge': dom0 } });
    expect(asked).toEqual(['xen:pv/net xen-vif on dom0']);
    expect(withProvider.run.record.cases.map((c) => [c.status, c.error?.message])).toEqual([['failed', 'no bridge today']]);
    const without = await runSuite({ ...base, outDir: join(out, 'b') });
    expect(without.run.record.cases.map((c) => [c.status, c.error?.message])).toEqual([
      ['failed', 'a Xen network case needs a bridge and peers in dom0, and this run has no provider for them'],
    ]);
    expect(xen.launched).toHaveLength(0);
  });
});
