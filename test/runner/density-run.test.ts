import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/common/backend.ts';
import { libvirtTcgBackend } from '../../src/backends/libvirt/libvirt.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { decodeJob } from '../../src/guest/protocol/job.ts';
import { endFrame, fakeBackend, fakeImage } from './fake-backend.ts';

const image = fakeImage(['sysbench', 'fio', 'stress-ng']);
const sysbench = (eps: number) => `    events per second:  ${eps}\n         avg:    1.00\n         95th percentile:   2.00\n`;
let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'hvb-density-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

function go(registry: Record<string, Backend>, suiteInput: object) {
  const deps = { workloads, backends: Object.keys(registry) };
  const suite = resolveSuite(suiteInput, deps, 'suite.ts');
  return runSuite({
    suite,
    suiteFile: 'suite.ts',
    cases: expandSuite(suite, deps),
    outDir: out,
    image,
    host: new LocalHost(),
    backends: (n) => registry[n]!,
    workloads,
  });
}

/** Guest g<i> of a repetition: waits at the barrier, then reports 100 × (i + 1) events per second. */
const densityGuest = () =>
  fakeBackend((say, nonce, spec) => {
    const i = Number(/-g(\d+)$/.exec(spec.name)?.[1] ?? 0);
    say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test`);
    say(`HVB ${nonce} fact barrier=waiting`);
    const output = sysbench(100 * (i + 1));
    say(`HVB ${nonce} out cpu ${Buffer.from(output).toString('base64')}`);
    say(endFrame(nonce, 'cpu', output));
    say(`HVB ${nonce} done`);
  });

describe('a density case in a run', () => {
  it("stores each guest's samples with its index and the aggregates, every sample with the guest count", async () => {
    const fake = densityGuest();
    const { run, samples } = await go({ fake }, { name: 's', backends: ['fake'], repetitions: 2, workloads: [{ workload: 'cpu', guests: [1, 2] }] });
    expect(run.record.cases.map((c) => [c.id, c.status, c.repetitionsDone])).toEqual([
      ['fake/cpu/guests=1', 'completed', 2],
      ['fake/cpu/guests=2', 'completed', 2],
    ]);
    // 1 + 2 guests per repetition, two repetitions, each released through the barrier.
    expect(fake.launched).toHaveLength(6);
    expect(fake.released).toHaveLength(6);
    const eps = samples.filter((s) => s.metric === 'cpu.events_per_s').map((s) => [s.dims.case, s.dims.rep, s.dims.guests, s.dims.guest_index, s.value]);
    expect(eps).toEqual([
      ['fake/cpu/guests=1', 1, 1, 0, 100],
      ['fake/cpu/guests=1', 2, 1, 0, 100],
      ['fake/cpu/guests=2', 1, 2, 0, 100],
      ['fake/cpu/guests=2', 1, 2, 1, 200],
      ['fake/cpu/guests=2', 2, 2, 0, 100],
      ['fake/cpu/guests=2', 2, 2, 1, 200],
    ]);
    const agg = samples.filter((s) => s.metric.startsWith('cpu.events_per_s.') && s.dims.case === 'fake/cpu/guests=2' && s.dims.rep === 1);
    expect(agg.map((s) => [s.metric, s.unit, s.dims.guests, 'guest_index' in s.dims])).toEqual([
      ['cpu.events_per_s.sum', 'events/s', 2, false],
      ['cpu.events_per_s.min_max_ratio', 'ratio', 2, false],
      ['cpu.events_per_s.jain', 'ratio', 2, false],
    ]);
    expect(agg.map((s) => s.value)).toEqual([300, 0.5, 0.9]);
    // Every guest's boot figures are its own samples too.
    expect(samples.filter((s) => s.metric === 'boot.to_ready_ms' && s.dims.case === 'fake/cpu/guests=2')).toHaveLength(4);
  });

  it('runs a stress-ng load in guest 0 of a case with a neighbour, and measures, aggregates and stores only the others', async () => {
    const fake = fakeBackend((say, nonce, spec) => {
      const job = decodeJob(spec.cmdline);
      const i = Number(/-g(\d+)$/.exec(spec.name)?.[1] ?? 0);
      say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test`);
      say(`HVB ${nonce} fact barrier=waiting`);
      const step = job.command.steps[0]!;
      const output = step.id === 'stress' ? 'stress-ng: info: successful run completed\n' : sysbench(100 * (i + 1));
      say(`HVB ${nonce} out ${step.id} ${Buffer.from(output).toString('base64')}`);
      say(endFrame(nonce, step.id, output));
      say(`HVB ${nonce} done`);
    });
    const { run, samples } = await go(
      { fake },
      { name: 's', backends: ['fake'], repetitions: 1, workloads: [{ workload: 'cpu', params: { timeSec: 4 }, guests: 3, neighbour: 'stress' }] },
    );
    expect(run.record.cases.map((c) => [c.id, c.status])).toEqual([['fake/cpu/guests=3,neighbour=stress,timeSec=4', 'completed']]);
    const jobs = fake.launched.map((s) => [s.name, decodeJob(s.cmdline).command.steps.map((x) => x.argv.join(' '))]);
    // The load outlasts the workload's expected 6 s (timeSec + 2) by 3 s, one worker per vCPU.
    expect(jobs[0]).toEqual(['cpu-r1-g0', ['stress-ng --cpu 1 --timeout 9s']]);
    expect(jobs.slice(1).map(([, steps]) => (steps as string[])[0]!.split(' ')[0])).toEqual(['sysbench', 'sysbench']);
    expect(fake.released).toHaveLength(3);
    const eps = samples.filter((s) => s.metric === 'cpu.events_per_s').map((s) => [s.dims.guest_index, s.dims.neighbour, s.value]);
    expect(eps).toEqual([
      [1, 'stress', 200],
      [2, 'stress', 300],
    ]);
    // Nothing of the neighbour's own: not even its boot figures.
    expect(samples.some((s) => s.dims.guest_index === 0)).toBe(false);
    const sum = samples.find((s) => s.metric === 'cpu.events_per_s.sum');
    expect([sum?.value, sum?.dims.guests, sum?.dims.neighbour]).toEqual([500, 3, 'stress']);
  });

  it('skips, with the reason, a density case on a backend whose guests cannot be released', async () => {
    const fake = fakeBackend(() => undefined, 'fake', libvirtTcgBackend);
    const { run } = await go({ fake }, { name: 's', backends: ['fake'], repetitions: 1, workloads: [{ workload: 'cpu', guests: 2 }] });
    expect(run.record.cases.map((c) => [c.status, c.error?.message])).toEqual([
      ['skipped', 'backend fake cannot run 2 guests at once: its VMs cannot be released from a start barrier (they take no console input)'],
    ]);
    expect(fake.launched).toHaveLength(0);
  });

  it("checks the guests' memory against what the backend says its guests can take (Xen: its free memory), not the host's", async () => {
    const asked: string[] = [];
    const fake = {
      ...densityGuest(),
      memoryAvailableMiB: async (host: { name: string }) => {
        asked.push(host.name);
        return 700;
      },
    };
    const input = { name: 's', backends: ['fake'], repetitions: 1, guest: { memoryMiB: 320 }, workloads: [{ workload: 'cpu', guests: [1, 2] }] };
    await expect(go({ fake }, input)).rejects.toThrow(
      'case fake/cpu/guests=2: 2 guests of 320 MiB need 768 MiB with their VMMs (64 MiB each), more than the 700 MiB host local has available',
    );
    expect(asked).toEqual(['local']);
    expect(fake.launched).toHaveLength(0);
  });

  it('skips a density case whose workload needs a device the guests would share', async () => {
    const fake = densityGuest();
    const { run } = await go({ fake }, { name: 's', backends: ['fake'], repetitions: 1, workloads: [{ workload: 'disk', guests: 2 }] });
    expect(run.record.cases.map((c) => [c.status, c.error?.message])).toEqual([
      ['skipped', 'a density case runs workloads without devices only: its 2 guests would share a scratch disk'],
    ]);
  });
});
