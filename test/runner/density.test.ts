import { describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/common/backend.ts';
import { decodeJob } from '../../src/guest/protocol/job.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { runDensityRepetition } from '../../src/runner/density.ts';
import { cpu } from '../../src/workloads/cpu.ts';
import { endFrame, fakeBackend, fakeImage } from './fake-backend.ts';

const host = new LocalHost();
const image = fakeImage();
const sysbench = (eps: number) => `    events per second:  ${eps}\n         avg:    1.00\n         95th percentile:   2.00\n`;
const params = cpu.params.parse({ timeSec: 1 });

/** A guest that says ready, waits at the barrier, then runs sysbench and prints `eps`. */
function barrierGuest(say: (l: string) => void, nonce: string, eps: number): void {
  say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test`);
  say(`HVB ${nonce} fact barrier=waiting`);
  const output = sysbench(eps);
  say(`HVB ${nonce} out cpu ${Buffer.from(output).toString('base64')}`);
  say(endFrame(nonce, 'cpu', output));
  say(`HVB ${nonce} done`);
}

const input = (backend: Backend) => ({ backend, host, image, workload: cpu, params, vcpus: 1, memoryMiB: 256, timeoutSec: 30, name: 'cpu-r1' });

describe('a density repetition', () => {
  it('boots every guest with its own nonce and a barrier line, and releases them only once all are waiting', async () => {
    const order: string[] = [];
    const fake = fakeBackend((say, nonce, spec) => {
      order.push(`waiting ${spec.name}`);
      barrierGuest(say, nonce, spec.name.endsWith('g0') ? 100 : 300);
    });
    const out = await runDensityRepetition(input(fake), 3);
    expect(fake.launched.map((s) => s.name)).toEqual(['cpu-r1-g0', 'cpu-r1-g1', 'cpu-r1-g2']);
    const jobs = fake.launched.map((s) => decodeJob(s.cmdline));
    expect(jobs.every((j) => j.barrier === true)).toBe(true);
    expect(new Set(jobs.map((j) => j.nonce)).size).toBe(3);
    expect([...fake.released].sort()).toEqual(['cpu-r1-g0', 'cpu-r1-g1', 'cpu-r1-g2']);
    expect(order).toHaveLength(3);
    expect(out.combined.status).toBe('completed');
    expect(out.guests.map((g) => g.status)).toEqual(['completed', 'completed', 'completed']);
    expect(out.guests.map((g) => g.values.find((v) => v.metric === 'cpu.events_per_s')?.value)).toEqual([100, 300, 300]);
    expect(out.combined.guestLog.filter((l) => l.startsWith('--- guest'))).toEqual(['--- guest 0 ---', '--- guest 1 ---', '--- guest 2 ---']);
    expect(out.combined.steps.map((s) => s.id)).toEqual(['g0.cpu', 'g1.cpu', 'g2.cpu']);
    // The VMMs together: three fake VMMs of 1.5 s user time each.
    expect(out.combined.usage?.cpuUserS).toBeCloseTo(4.5);
  });

  it("starts the guests' VMMs one after another: a launch begins only once the previous one returned", async () => {
    const events: string[] = [];
    const fake = fakeBackend((say, nonce, spec) => barrierGuest(say, nonce, spec.name.endsWith('g0') ? 100 : 300));
    const slow: Backend = {
      ...fake,
      async launch(spec, on) {
        events.push(`start ${spec.name}`);
        await new Promise((r) => setTimeout(r, 30));
        events.push(`up ${spec.name}`);
        return fake.launch(spec, on);
      },
    };
    const out = await runDensityRepetition(input(slow), 3);
    expect(out.combined.status).toBe('completed');
    expect(events).toEqual(['start cpu-r1-g0', 'up cpu-r1-g0', 'start cpu-r1-g1', 'up cpu-r1-g1', 'start cpu-r1-g2', 'up cpu-r1-g2']);
  });

  it('stops the others and fails with the reason when a guest ends before the barrier', async () => {
    const fake = fakeBackend((say, nonce, spec) => {
      if (spec.name.endsWith('g1')) {
        say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test`);
        say(`HVB ${nonce} error kernel module virtio_blk is not in the guest image`);
        say(`HVB ${nonce} done`);
        return;
      }
      barrierGuest(say, nonce, 100);
    });
    const out = await runDensityRepetition(input(fake), 2);
    expect(fake.released).toEqual([]);
    expect(out.combined.status).toBe('failed');
    expect(out.combined.error).toMatch(/^guest 1 ended before the start barrier \(1 of 2 were waiting\): the guest reported: kernel module virtio_blk/);
    expect(out.guests[0]!.error).toMatch(/^stopped: guest 1 ended before the start barrier/);
    expect(fake.killed).toContain('interrupted');
  });

  it('fails with the reason when a guest cannot be released', async () => {
    const fake = fakeBackend((say, nonce) => barrierGuest(say, nonce, 100));
    const silent: Backend = {
      ...fake,
      launch: async (spec, h) => {
        const vm = await fake.launch(spec, h);
        return { ...vm, release: undefined };
      },
    };
    const out = await runDensityRepetition(input(silent), 2);
    expect(out.combined.status).toBe('failed');
    expect(out.combined.error).toMatch(/^the start barrier could not be released in guest \d: its VM takes no console input/);
  });

  it('ends as interrupted, not as a barrier failure, on Ctrl-C', async () => {
    const fake = fakeBackend((say, nonce) => {
      say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test`);
      say(`HVB ${nonce} fact barrier=waiting`);
      return { hang: true };
    });
    const controller = new AbortController();
    const run = runDensityRepetition({ ...input(fake), signal: controller.signal }, 2);
    setTimeout(() => controller.abort(), 50);
    const out = await run;
    expect(out.guests.map((g) => g.error)).toEqual(['interrupted', 'interrupted']);
    expect(out.combined.status).toBe('failed');
  });
});
