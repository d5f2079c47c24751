import { describe, expect, it } from 'vitest';
import type { GuestImage } from '../../src/guest/image.ts';
import { decodeJob } from '../../src/guest/protocol/job.ts';
import type { Host } from '../../src/hosts/host.ts';
import { ALIVE_EVERY_S } from '../../src/runner/hang-watch.ts';
import { runRepetition } from '../../src/runner/repetition.ts';
import { cpu } from '../../src/workloads/cpu.ts';
import { fakeBackend } from './fake-backend.ts';

const image = { kernel: '/img/vmlinuz', initramfs: '/img/initramfs.cpio.gz', hash: 'h', dir: '/img' } as GuestImage;
const host = { name: 'local', kind: 'local' } as Host;
const base = { host, image, workload: cpu, params: cpu.params.parse({ timeSec: 1 }), vcpus: 1, memoryMiB: 256, name: 't' };

/** A clock ten times as fast as the wall's: six silent seconds pass in 0.6 s. */
function fastClock(): () => number {
  const start = Date.now();
  return () => start + (Date.now() - start) * 10;
}

describe('a guest that falls silent past its heartbeat', () => {
  it('asks every guest for a heartbeat in its job', async () => {
    const backend = fakeBackend((say, nonce) => say(`HVB ${nonce} done`));
    await runRepetition({ ...base, backend, timeoutSec: 5 });
    expect(decodeJob(backend.launched[0]!.cmdline).aliveEveryS).toBe(ALIVE_EVERY_S);
  });

  it('is stopped as hung long before the timeout, as a crash that --retry-crashed runs again', async () => {
    const backend = fakeBackend((say, nonce) => {
      say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test alive=1`);
      say(`HVB ${nonce} alive`);
      return { hang: true };
    });
    const t0 = Date.now();
    const out = await runRepetition({ ...base, backend, timeoutSec: 30, now: fastClock() });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(out).toMatchObject({ status: 'failed', crashed: true });
    expect(out.error).toMatch(/^the guest hung: nothing from it for \d+ s, though it sends a frame every 1 s \(0 steps done\)$/);
    expect(backend.killed[0]).toBe('the guest stopped answering');
    // What it measured before it hung stays.
    expect(out.values.map((v) => v.metric)).toContain('boot.guest_uptime_at_ready_s');
  });

  it('is left to the timeout when it never promised a heartbeat (a native agent)', async () => {
    const backend = fakeBackend((say, nonce) => {
      say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test`);
      return { hang: true };
    });
    const out = await runRepetition({ ...base, backend, timeoutSec: 1.5, now: fastClock() });
    expect(out.status).toBe('timed-out');
    expect(out.crashed).toBeUndefined();
    expect(out.error).toMatch(/said ready but did not finish/);
  });
});
