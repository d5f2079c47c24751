import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend, VmSpec } from '../../src/backends/common/backend.ts';
import { xenBackend } from '../../src/backends/xen/xen.ts';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';
import { decodeJob } from '../../src/guest/protocol/job.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import type { RunEvent } from '../../src/runner/events.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { z } from 'zod';
import type { Workload, WorkloadContext } from '../../src/workloads/workload.ts';
import { endFrame, fakeBackend, fakeImage, fioDiskTranscript, stepTranscript } from './fake-backend.ts';

const image = fakeImage(['sysbench', 'fio']);
/** What the runner asks of a backend besides booting, for the hand-written ones below: the QEMU backends' declarations. */
const { devices, network, factDims } = tcgBackend;
const declarations = { devices, network, factDims };
const sysbench = (eps: number) => `    events per second:  ${eps}\n         avg:    1.00\n         95th percentile:   2.00\n`;
let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'hvb-runner-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

function setup(registry: Record<string, Backend>, suiteInput: object) {
  const deps = { workloads, backends: Object.keys(registry) };
  const suite = resolveSuite(suiteInput, deps, 'suite.ts');
  const events: RunEvent[] = [];
  return {
    events,
    go: () =>
      runSuite({
        suite,
        suiteFile: 'suite.ts',
        cases: expandSuite(suite, deps),
        outDir: out,
        image,
        host: new LocalHost(),
        backends: (n) => registry[n]!,
        workloads,
        observer: (e) => events.push(e),
      }),
  };
}

/** A guest that finds its disk (with the given driver chain) and runs the four fio jobs, each report printed by its own step. */
function diskGuest(chain: string, seen: VmSpec[], like?: Backend) {
  return fakeBackend(
    (say, nonce, spec) => {
      seen.push(spec);
      fioDiskTranscript(say, nonce, chain);
    },
    'fake',
    like,
  );
}

describe('running a suite', () => {
  it('runs warm-ups and repetitions in order and stores only measured samples, with their dimensions', async () => {
    let eps = 100;
    const fake = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(eps++)));
    const { go, events } = setup(
      { fake },
      { name: 's', backends: ['fake'], repetitions: 2, warmup: 1, workloads: [{ workload: 'cpu', params: { threads: [1, 2] } }] },
    );
    const { run, samples } = await go();
    expect(fake.launched).toHaveLength(6);
    const eventsSeen = events.filter((e) => e.type === 'rep-start').map((e) => (e.type === 'rep-start' ? `${e.caseId}:${e.warmup ? 'w' : 'r'}${e.rep}` : ''));
    expect(eventsSeen).toEqual([
      'fake/cpu/threads=1:w1',
      'fake/cpu/threads=1:r1',
      'fake/cpu/threads=1:r2',
      'fake/cpu/threads=2:w1',
      'fake/cpu/threads=2:r1',
      'fake/cpu/threads=2:r2',
    ]);
    const eps1 = samples.filter((s) => s.metric === 'cpu.events_per_s').map((s) => [s.dims.case, s.dims.rep, s.value]);
    expect(eps1).toEqual([
      ['fake/cpu/threads=1', 1, 101],
      ['fake/cpu/threads=1', 2, 102],
      ['fake/cpu/threads=2', 1, 104],
      ['fake/cpu/threads=2', 2, 105],
    ]);
    const s = samples[0]!;
    expect(s.dims).toMatchObject({
      suite: 's',
      backend: 'fake',
      accel: 'fake',
      workload: 'cpu',
      'param.threads': 1,
      image: 'abc',
      guest_kernel: '6.1.0-test',
      host: 'local',
      vcpus: 1,
      memory_mib: 512,
    });
    expect(run.record.status).toBe('completed');
    expect(run.record.cases.map((c) => [c.status, c.repetitionsDone, c.usage.length])).toEqual([
      ['completed', 2, 3],
      ['completed', 2, 3],
    ]);
    const lines = (await readFile(join(run.dir, 'samples.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(samples.length);
  });

  it('skips the cases of a backend that cannot run here, with its reason, and runs the rest', async () => {
    const fake = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(1)));
    const absent: Backend = {
      ...declarations,
      name: 'absent',
      probe: async () => ({ backend: 'absent', available: false, reason: 'not implemented yet', facts: {} }),
      launch: async () => {
        throw new Error('must not launch');
      },
    };
    const { go, events } = setup(
      { absent, fake },
      { name: 's', backends: ['absent', 'fake'], repetitions: 1, workloads: [{ workload: 'cpu', params: { threads: [1, 2] } }] },
    );
    const { run } = await go();
    expect(run.record.cases.map((c) => [c.backend, c.status])).toEqual([
      ['absent', 'skipped'],
      ['absent', 'skipped'],
      ['fake', 'completed'],
      ['fake', 'completed'],
    ]);
    expect(run.record.cases[0]?.error).toEqual({ message: 'backend absent cannot run here: not implemented yet', code: 'backend-unavailable' });
    expect(run.record.backends).toContainEqual(expect.objectContaining({ backend: 'absent', available: false, reason: 'not implemented yet' }));
    // Announced once for the backend, not once per case.
    expect(events.filter((e) => e.type === 'backend-unavailable')).toEqual([
      {
        type: 'backend-unavailable',
        backend: 'absent',
        host: 'local',
        message: 'backend absent cannot run here: not implemented yet',
        reason: 'not implemented yet',
        cases: 2,
      },
    ]);
    expect(events.some((e) => e.type === 'case-skipped')).toBe(false);
  });

  it('probes the backends side by side and passes on what a slow probe says while it works', async () => {
    const fake = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(1)));
    let fakeProbed = false;
    let slowSawFake = false;
    const slow: Backend = {
      ...declarations,
      name: 'slow',
      probe: async (_host, options) => {
        options?.log?.('booting a canary');
        await new Promise((r) => setTimeout(r, 200));
        slowSawFake = fakeProbed;
        return { backend: 'slow', available: false, reason: 'canary failed', facts: {} };
      },
      launch: async () => {
        throw new Error('must not launch');
      },
    };
    const probe = fake.probe.bind(fake);
    fake.probe = async (...args) => {
      const c = await probe(...args);
      fakeProbed = true;
      return c;
    };
    const { go, events } = setup({ slow, fake }, { name: 's', backends: ['slow', 'fake'], repetitions: 1, workloads: [{ workload: 'cpu' }] });
    await go();
    expect(slowSawFake).toBe(true);
    expect(events).toContainEqual({ type: 'probe-log', backend: 'slow', host: 'local', line: 'booting a canary' });
  });

  it('records a failing case with the guest log tail and goes on to the next case', async () => {
    let n = 0;
    const fake = fakeBackend((say, nonce) => {
      n++;
      if (n === 1) {
        say('Kernel panic - not syncing: VFS');
        return { exit: { kind: 'shutdown', reason: 'guest-reset' } };
      }
      stepTranscript(say, nonce, 'cpu', sysbench(7));
    });
    const { go } = setup({ fake }, { name: 's', backends: ['fake'], repetitions: 2, workloads: [{ workload: 'cpu', params: { threads: [1, 2] } }] });
    const { run, samples } = await go();
    const [first, second] = run.record.cases;
    expect(first?.status).toBe('failed');
    expect(first?.error?.message).toMatch(/repetition 1: the guest stopped before the agent said ready \(guest-reset\)/);
    expect(first?.guestLogTail).toEqual(['Kernel panic - not syncing: VFS']);
    expect(second?.status).toBe('completed');
    expect(samples.filter((s) => s.metric === 'cpu.events_per_s')).toHaveLength(2);
  });

  it('records an interrupted run and stops launching guests', async () => {
    const ac = new AbortController();
    const fake = fakeBackend((say, nonce) => {
      ac.abort();
      stepTranscript(say, nonce, 'cpu', sysbench(3));
    });
    const deps = { workloads, backends: ['fake'] };
    const suite = resolveSuite({ name: 's', backends: ['fake'], repetitions: 3, workloads: [{ workload: 'cpu' }] }, deps, 'suite.ts');
    const { run } = await runSuite({
      suite,
      suiteFile: 'suite.ts',
      cases: expandSuite(suite, deps),
      outDir: out,
      image,
      host: new LocalHost(),
      backends: () => fake,
      workloads,
      signal: ac.signal,
    });
    expect(run.record.status).toBe('interrupted');
    expect(fake.launched).toHaveLength(1);
    const onDisk = JSON.parse(await readFile(join(run.dir, 'run.json'), 'utf8'));
    expect(onDisk.status).toBe('interrupted');
  });

  it('attaches a scratch disk of the asked model, records the bound driver, and removes the disk', async () => {
    const seen: VmSpec[] = [];
    const { go } = setup(
      { fake: diskGuest('sd,ahci', seen) },
      { name: 's', backends: ['fake'], repetitions: 2, workloads: [{ workload: 'disk', params: { device: 'ahci', sizeMiB: 16, runtimeSec: 2 } }] },
    );
    const { run, samples } = await go();
    expect(run.record.cases[0]?.status, JSON.stringify(run.record.cases[0]?.error)).toBe('completed');
    const disk = seen[0]!.disks[0]!;
    expect(disk).toMatchObject({ id: 'scratch', model: 'ahci', format: 'raw' });
    expect(disk.path).toBe(join(run.dir, 'scratch', 'case-1.raw'));
    expect(seen[1]!.disks[0]!.path).toBe(disk.path);
    const job = decodeJob(seen[0]!.cmdline);
    expect(job.probe).toEqual(['disk']);
    expect(job.command.modules).toEqual(['ahci', 'sd_mod']);
    expect(job.command.steps[0]!.argv).toContain('--filename=@disk');
    const s = samples.find((x) => x.metric === 'disk.seq_read_mib_s')!;
    expect(s.value).toBeCloseTo(1342.17, 1);
    expect(s.dims).toMatchObject({
      io: 'emulated',
      disk_model: 'ahci',
      disk_driver: 'ahci',
      'param.device': 'ahci',
      initrd: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(samples.filter((x) => x.metric === 'host.cpu_s_per_gib')).toHaveLength(2);
    // The scratch disk and its folder are gone after the case and the run.
    expect(existsSync(disk.path)).toBe(false);
    expect(await readdir(run.dir)).not.toContain('scratch');
  });

  it('fails a case whose disk is driven by another driver than its model', async () => {
    const { go } = setup(
      { fake: diskGuest('sd,ata_piix', []) },
      { name: 's', backends: ['fake'], repetitions: 1, workloads: [{ workload: 'disk', params: { device: 'ahci', sizeMiB: 16 } }] },
    );
    const { run, samples } = await go();
    expect(run.record.cases[0]?.status).toBe('failed');
    expect(run.record.cases[0]?.error?.message).toMatch(/driven by ata_piix \(drivers sd,ata_piix\), but the case asked for model ahci/);
    expect(samples.some((x) => x.metric.startsWith('disk.'))).toBe(false);
  });

  it('skips, with the reason, a case whose device its backend does not offer, and runs the rest', async () => {
    const seen: VmSpec[] = [];
    const { go, events } = setup(
      { xen: diskGuest('vbd', seen, xenBackend), fake: diskGuest('virtio_blk,virtio-pci', seen) },
      { name: 's', backends: ['xen', 'fake'], repetitions: 1, workloads: [{ workload: 'disk', params: { io: ['emulated', 'paravirtual'], sizeMiB: 16 } }] },
    );
    const { run } = await go();
    expect(run.record.cases.map((c) => [c.id, c.status])).toEqual([
      ['xen:pvh/disk/io=emulated,sizeMiB=16', 'skipped'],
      ['xen:pvh/disk/io=paravirtual,sizeMiB=16', 'completed'],
      ['fake/disk/io=emulated,sizeMiB=16', 'failed'],
      ['fake/disk/io=paravirtual,sizeMiB=16', 'completed'],
    ]);
    expect(run.record.cases[0]?.error?.message).toBe(
      'xen cannot run this case: hvbench boots Xen guests as PVH, which have no device model: emulated devices need an HVM guest',
    );
    expect(events.filter((e) => e.type === 'case-skipped')).toHaveLength(1);
    expect(events.find((e) => e.type === 'run-start')).toMatchObject({ repetitions: 3 });
    // Interleaved by group, in the order groups first appear: the paravirtual one (xen, fake), then the emulated one.
    expect(seen.map((s) => s.disks[0]?.model)).toEqual(['xen-vbd', 'virtio-blk', 'ide']);
  });

  it('opens the network of a NIC case through the provider, hands its endpoint to the workload, and closes it', async () => {
    const contexts: (WorkloadContext | undefined)[] = [];
    const nicked: Workload = {
      name: 'nicked',
      description: 'test only',
      params: z.object({}).strict(),
      metrics: [],
      devices: () => ({ nic: { io: 'emulated', device: 'rtl8139' } }),
      expectedSeconds: () => 1,
      command: (_p, context) => {
        contexts.push(context);
        return { steps: [{ id: 'ip', argv: ['ip', 'link', 'show', '@nic'] }] };
      },
      parse: () => [],
    };
    const seen: VmSpec[] = [];
    const fake = fakeBackend((say, nonce, spec) => {
      seen.push(spec);
      say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test`);
      say(`HVB ${nonce} fact nic=eth0 nic_drivers=8139cp`);
      say(`HVB ${nonce} out ip ${Buffer.from('2: eth0\n').toString('base64')}`);
      say(endFrame(nonce, 'ip', '2: eth0\n', 0, 5));
      say(`HVB ${nonce} done`);
    });
    const calls: string[] = [];
    const endpoint = { mode: 'tap' as const, ifname: 'eth0', guestCidr: '10.0.0.2/30', peer: '10.0.0.1', ports: { iperf3: 1, sockperfUdp: 2, sockperfTcp: 3 } };
    const network = {
      open: async (r: { caseId: string; model: string }) => {
        calls.push(`open ${r.caseId} ${r.model}`);
        return {
          attach: { kind: 'tap' as const, ifname: 'hvbtap0' },
          endpoint,
          dims: { net_attach: 'tap' },
          peerLog: () => 'Server listening on 5201',
          close: async () => void calls.push('close'),
        };
      },
    };
    const deps = { workloads: { nicked }, backends: ['fake'] };
    const suite = resolveSuite({ name: 's', backends: ['fake'], repetitions: 2, workloads: [{ workload: 'nicked' }] }, deps, 'suite.ts');
    const { run, samples } = await runSuite({
      suite,
      suiteFile: 'suite.ts',
      cases: expandSuite(suite, deps),
      outDir: out,
      image,
      host: new LocalHost(),
      backends: () => fake,
      workloads: { nicked },
      networks: { 'host-netns': network },
    });
    expect(run.record.cases[0]?.status).toBe('completed');
    expect(samples.find((x) => x.metric === 'boot.to_ready_ms')?.dims).toMatchObject({
      io: 'emulated',
      nic_model: 'rtl8139',
      nic_driver: '8139cp',
      net_attach: 'tap',
    });
    expect(calls).toEqual(['open fake/nicked rtl8139', 'close']);
    expect(contexts).toEqual([{ net: endpoint }, { net: endpoint }]);
    expect(seen[0]!.nics).toEqual([{ id: 'net0', model: 'rtl8139', attach: { kind: 'tap', ifname: 'hvbtap0' } }]);
    const job = decodeJob(seen[0]!.cmdline);
    expect(job.probe).toEqual(['nic']);
    expect(job.command.modules).toEqual(['8139cp', '8139too']);
    const record = JSON.parse(await readFile(join(run.dir, 'run.json'), 'utf8')).cases[0];
    expect(record.usage).toHaveLength(2);
    expect(await readFile(join(run.dir, record.logs[0]), 'utf8')).toMatch(/--- network peers ---\nServer listening on 5201\n$/);
  });

  it('interleaves the repetitions of cases that differ only in their backend, and records the order', async () => {
    const a = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(10)), 'a');
    const b = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(20)), 'b');
    const { go, events } = setup({ a, b }, { name: 's', backends: ['a', 'b'], repetitions: 2, warmup: 1, workloads: [{ workload: 'cpu' }] });
    const { run, samples } = await go();
    const order = events.flatMap((e) => (e.type === 'rep-start' ? [`${e.backend}:${e.warmup ? 'w' : 'r'}${e.rep}`] : []));
    expect(order).toEqual(['a:w1', 'b:w1', 'a:r1', 'b:r1', 'a:r2', 'b:r2']);
    const eps = samples.filter((x) => x.metric === 'cpu.events_per_s').map((x) => [x.dims.backend, x.dims.rep, x.dims.seq]);
    expect(eps).toEqual([
      ['a', 1, 2],
      ['b', 1, 3],
      ['a', 2, 4],
      ['b', 2, 5],
    ]);
    expect(run.record.cases[1]?.usage.map((u) => u.seq)).toEqual([1, 3, 5]);
  });

  it('runs each case in a row when interleaving is off', async () => {
    const a = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(10)), 'a');
    const b = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(20)), 'b');
    const { go, events } = setup({ a, b }, { name: 's', backends: ['a', 'b'], repetitions: 2, interleave: false, workloads: [{ workload: 'cpu' }] });
    await go();
    expect(events.flatMap((e) => (e.type === 'rep-start' ? [`${e.backend}${e.rep}`] : []))).toEqual(['a1', 'a2', 'b1', 'b2']);
  });

  it('adds repetitions until the CI target is met, and stops at maxRepetitions when it is not', async () => {
    const steady = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(100)), 'steady');
    let flip = 0;
    const noisy = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(flip++ % 2 ? 50 : 150)), 'noisy');
    const once = setup(
      { steady },
      { name: 's', backends: ['steady'], repetitions: 3, maxRepetitions: 8, targetCiHalfWidth: 0.05, workloads: [{ workload: 'cpu' }] },
    );
    const r1 = await once.go();
    expect(r1.run.record.cases[0]?.repetitionsDone).toBe(3);
    const capped = setup(
      { noisy },
      { name: 's', backends: ['noisy'], repetitions: 3, maxRepetitions: 8, targetCiHalfWidth: 0.05, workloads: [{ workload: 'cpu' }] },
    );
    const r2 = await capped.go();
    expect(r2.run.record.cases[0]?.repetitionsDone).toBe(8);
    expect(r2.run.record.cases[0]?.status).toBe('completed');
  });
});
