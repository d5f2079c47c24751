import { describe, expect, it } from 'vitest';
import type { EventCounts } from '../../src/backends/common/backend.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import type { Host } from '../../src/hosts/host.ts';
import { decodeJob } from '../../src/guest/protocol/job.ts';
import { EventWindows, eventMetricDefs } from '../../src/runner/event-windows.ts';
import { runRepetition } from '../../src/runner/repetition.ts';
import { cpu } from '../../src/workloads/cpu.ts';
import { endFrame, fakeBackend } from './fake-backend.ts';

/** A VM whose counters are set by the test, with a clock the test moves. */
function countingVm(): { vm: { countEvents(): Promise<EventCounts> }; set: (c: Record<string, number>) => void } {
  let counts: Record<string, number> = {};
  return { vm: { countEvents: async () => ({ source: 'test-source', counts: { ...counts } }) }, set: (c) => (counts = c) };
}

describe('event windows', () => {
  it("gives each step's counter changes per second of host time between its begin and ran frames", async () => {
    const { vm, set } = countingVm();
    let t = 1000;
    const w = new EventWindows(vm, () => t);
    set({ io_exits: 100, exits: 1000 });
    w.onFrame({ kind: 'begin', step: 'seqread' });
    await Promise.resolve();
    set({ io_exits: 400, exits: 2000 });
    t = 3000;
    w.onFrame({ kind: 'ran', step: 'seqread' });
    const r = await w.result();
    expect(r.source).toBe('test-source');
    expect(r.values).toEqual([
      { metric: 'events.seqread.io_exits_per_s', value: 150 },
      { metric: 'events.seqread.exits_per_s', value: 500 },
    ]);
    expect(eventMetricDefs(r.values).map((d) => [d.name, d.unit, d.better])).toEqual([
      ['events.seqread.io_exits_per_s', 'events/s', 'lower'],
      ['events.seqread.exits_per_s', 'events/s', 'lower'],
    ]);
  });

  it('takes the moment a reading gives for itself (a perf segment closed later than asked) over the moment it was asked for', async () => {
    let t = 1000;
    const readings = [
      { exits: 0, at: 1500 },
      { exits: 300, at: 2500 },
    ];
    const vm = {
      countEvents: async () => {
        const { exits, at } = readings.shift()!;
        return { source: 'perf-kvm-stat', counts: { exits }, at };
      },
    };
    const w = new EventWindows(vm, () => t);
    w.onFrame({ kind: 'begin', step: 'randread' });
    t = 4000;
    w.onFrame({ kind: 'ran', step: 'randread' });
    // 300 exits over the 1 s between the two closings, not the 3 s between the frames.
    expect((await w.result()).values).toEqual([{ metric: 'events.randread.exits_per_s', value: 300 }]);
  });

  it('times a reading by when it returned: a read queued behind others (over SSH) holds the counts of that later moment', async () => {
    let t = 1000;
    let release!: () => void;
    const queued = new Promise<void>((r) => (release = r));
    const readings = [
      { exits: 0, wait: queued },
      { exits: 300, wait: Promise.resolve() },
    ];
    const vm = {
      countEvents: async () => {
        const { exits, wait } = readings.shift()!;
        await wait;
        return { source: 'kvm-debugfs', counts: { exits } };
      },
    };
    const w = new EventWindows(vm, () => t);
    w.onFrame({ kind: 'begin', step: 'randread' });
    // The begin read waits its turn until 1 s into the step.
    t = 2000;
    release();
    await new Promise((r) => setImmediate(r));
    t = 4000;
    w.onFrame({ kind: 'ran', step: 'randread' });
    // 300 exits over the 2 s between the two reads, not the 3 s between the frames.
    expect((await w.result()).values).toEqual([{ metric: 'events.randread.exits_per_s', value: 150 }]);
  });

  it("reads only around the steps it is given (a workload's measured ones), so set-up steps queue no reads in front of them", async () => {
    let reads = 0;
    const vm = { countEvents: async () => ({ source: 'xentop', counts: { vbd_read_requests: 100 * reads++ } }) };
    const w = new EventWindows(vm, () => 1000 * reads, new Set(['randread']));
    for (const step of ['net-up', 'net-wait', 'randread']) {
      w.onFrame({ kind: 'begin', step });
      await new Promise((r) => setImmediate(r));
      w.onFrame({ kind: 'ran', step });
      await new Promise((r) => setImmediate(r));
    }
    expect(reads).toBe(2);
    expect((await w.result()).values).toEqual([{ metric: 'events.randread.vbd_read_requests_per_s', value: 100 }]);
  });

  it('says why nothing was counted when the backend cannot count or a read fails', async () => {
    const none = new EventWindows({});
    none.onFrame({ kind: 'begin', step: 'cpu' });
    none.onFrame({ kind: 'ran', step: 'cpu' });
    expect(await none.result()).toEqual({ values: [], problem: 'step cpu: the backend cannot count events' });
    const failing = new EventWindows({ countEvents: () => Promise.reject(new Error('debugfs is not mounted')) });
    failing.onFrame({ kind: 'begin', step: 'cpu' });
    failing.onFrame({ kind: 'ran', step: 'cpu' });
    expect((await failing.result()).problem).toMatch(/step cpu: .*debugfs is not mounted/);
  });

  it('leaves out a counter that went down (a gauge that was reset) and a step that never ran', async () => {
    const { vm, set } = countingVm();
    let t = 0;
    const w = new EventWindows(vm, () => t);
    set({ tb_count: 500, tb_invalidations: 10 });
    w.onFrame({ kind: 'begin', step: 'a' });
    w.onFrame({ kind: 'begin', step: 'b' });
    await Promise.resolve();
    set({ tb_count: 20, tb_invalidations: 30 });
    t = 1000;
    w.onFrame({ kind: 'ran', step: 'a' });
    expect((await w.result()).values).toEqual([{ metric: 'events.a.tb_invalidations_per_s', value: 20 }]);
  });
});

describe('a repetition with --count-events', () => {
  const image = { kernel: '/img/vmlinuz', initramfs: '/img/initramfs.cpio.gz', hash: 'h', dir: '/img' } as GuestImage;
  const host = { name: 'local', kind: 'local' } as Host;
  const sysbench = 'CPU speed:\n    events per second:  812.50\n\nLatency (ms):\n         avg:    1.23\n         95th percentile:   1.50\n';
  const script = (say: (l: string) => void, nonce: string) => {
    say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test`);
    say(`HVB ${nonce} begin cpu`);
    say(`HVB ${nonce} ran cpu`);
    say(`HVB ${nonce} out cpu ${Buffer.from(sysbench).toString('base64')}`);
    say(endFrame(nonce, 'cpu', sysbench));
    say(`HVB ${nonce} done`);
  };
  const base = { host, image, workload: cpu, params: cpu.params.parse({ timeSec: 1 }), vcpus: 1, memoryMiB: 256, timeoutSec: 5, name: 't' };

  it('records the source as a dimension, and a backend that cannot count as event_source none with the reason in the log', async () => {
    const plain = fakeBackend(script);
    const out = await runRepetition({ ...base, backend: plain, countEvents: true });
    expect(out.status).toBe('completed');
    expect(out.dims['event_source']).toBe('none');
    expect(out.eventProblem).toBe('step cpu: the backend cannot count events');
    const off = await runRepetition({ ...base, backend: plain });
    expect(off.dims['event_source']).toBeUndefined();
    expect(off.eventProblem).toBeUndefined();
    // The job asks the agent for the step frames only when counting.
    expect(decodeJob(plain.launched[0]!.cmdline).count).toBe(true);
    expect(decodeJob(plain.launched[1]!.cmdline).count).toBeUndefined();
  });

  it("holds a counted guest after done until its last step's reads returned, then lets it go", async () => {
    const fake = fakeBackend((say, nonce) => {
      script(say, nonce);
      say(`HVB ${nonce} fact hold=waiting`);
    });
    const order: string[] = [];
    let reads = 0;
    const backend = {
      ...fake,
      launch: async (...args: Parameters<typeof fake.launch>) => {
        const vm = await fake.launch(...args);
        const release = vm.release!.bind(vm);
        return Object.assign(vm, {
          // A slow read, as over SSH to a nested lab: the guest would be gone before it returned.
          countEvents: async (): Promise<EventCounts> => {
            const n = ++reads;
            await new Promise((r) => setTimeout(r, 30 * n));
            order.push(`read ${n}`);
            return { source: 'slow', counts: { exits: n * 100 } };
          },
          release: async (token: string) => {
            order.push('go');
            await release(token);
          },
        });
      },
    };
    const out = await runRepetition({ ...base, backend, countEvents: true });
    expect(decodeJob(fake.launched[0]!.cmdline).hold).toBe(true);
    expect(out.status).toBe('completed');
    expect(order).toEqual(['read 1', 'read 2', 'go']);
    expect(out.values.find((v) => v.metric === 'events.cpu.exits_per_s')?.value).toBeGreaterThan(0);
    // Not counting: no hold.
    await runRepetition({ ...base, backend: fake });
    expect(decodeJob(fake.launched[1]!.cmdline).hold).toBeUndefined();
  });
});
