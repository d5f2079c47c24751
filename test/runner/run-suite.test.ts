import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/backend.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import type { RunEvent } from '../../src/runner/events.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { fakeBackend, stepTranscript } from './fake-backend.ts';

const image = { kernel: 'k', initramfs: 'i', hash: 'abc', dir: 'd', manifest: { id: 'm1', kernel: { version: '6.1.0-test' } } } as GuestImage;
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
      runSuite({ suite, suiteFile: 'suite.ts', cases: expandSuite(suite, deps), outDir: out, image, host: new LocalHost(), backends: (n) => registry[n]!, workloads, observer: (e) => events.push(e) }),
  };
}

describe('running a suite', () => {
  it('runs warm-ups and repetitions in order and stores only measured samples, with their dimensions', async () => {
    let eps = 100;
    const fake = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(eps++)));
    const { go, events } = setup({ fake }, { name: 's', backends: ['fake'], repetitions: 2, warmup: 1, workloads: [{ workload: 'cpu', params: { threads: [1, 2] } }] });
    const { run, samples } = await go();
    expect(fake.launched).toHaveLength(6);
    const eventsSeen = events.filter((e) => e.type === 'rep-start').map((e) => (e.type === 'rep-start' ? `${e.caseId}:${e.warmup ? 'w' : 'r'}${e.rep}` : ''));
    expect(eventsSeen).toEqual(['fake/cpu/threads=1:w1', 'fake/cpu/threads=1:r1', 'fake/cpu/threads=1:r2', 'fake/cpu/threads=2:w1', 'fake/cpu/threads=2:r1', 'fake/cpu/threads=2:r2']);
    const eps1 = samples.filter((s) => s.metric === 'cpu.events_per_s').map((s) => [s.dims.case, s.dims.rep, s.value]);
    expect(eps1).toEqual([
      ['fake/cpu/threads=1', 1, 101],
      ['fake/cpu/threads=1', 2, 102],
      ['fake/cpu/threads=2', 1, 104],
      ['fake/cpu/threads=2', 2, 105],
    ]);
    const s = samples[0]!;
    expect(s.dims).toMatchObject({ suite: 's', backend: 'fake', accel: 'fake', workload: 'cpu', 'param.threads': 1, image: 'abc', guest_kernel: '6.1.0-test', host: 'local', vcpus: 1, memory_mib: 512 });
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
    const absent: Backend = { name: 'absent', probe: async () => ({ backend: 'absent', available: false, reason: 'not implemented yet', facts: {} }), launch: async () => { throw new Error('must not launch'); } };
    const { go, events } = setup({ absent, fake }, { name: 's', backends: ['absent', 'fake'], repetitions: 1, workloads: [{ workload: 'cpu' }] });
    const { run } = await go();
    expect(run.record.cases.map((c) => c.status)).toEqual(['skipped', 'completed']);
    expect(run.record.cases[0]?.error?.message).toBe('backend absent cannot run here: not implemented yet');
    expect(events.some((e) => e.type === 'case-skipped')).toBe(true);
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
    const { run } = await runSuite({ suite, suiteFile: 'suite.ts', cases: expandSuite(suite, deps), outDir: out, image, host: new LocalHost(), backends: () => fake, workloads, signal: ac.signal });
    expect(run.record.status).toBe('interrupted');
    expect(fake.launched).toHaveLength(1);
    const onDisk = JSON.parse(await readFile(join(run.dir, 'run.json'), 'utf8'));
    expect(onDisk.status).toBe('interrupted');
  });
});
