import { describe, expect, it } from 'vitest';
import type { GuestImage } from '../../src/guest/image.ts';
import { decodeJob } from '../../src/guest/protocol/job.ts';
import type { Host } from '../../src/hosts/host.ts';
import { runRepetition } from '../../src/runner/repetition.ts';
import { cpu } from '../../src/workloads/cpu.ts';
import { fakeBackend, stepTranscript } from './fake-backend.ts';

const image = { kernel: '/img/vmlinuz', initramfs: '/img/initramfs.cpio.gz', hash: 'h', dir: '/img' } as GuestImage;
const host = { name: 'local', kind: 'local' } as Host;
const sysbench =
  'CPU speed:\n    events per second:  812.50\n\nLatency (ms):\n         avg:                                    1.23\n         95th percentile:                        1.50\n';
const base = { host, image, workload: cpu, params: cpu.params.parse({ timeSec: 1 }), vcpus: 1, memoryMiB: 256, timeoutSec: 5, name: 't' };

describe('one repetition', () => {
  it('passes the job on the command line and turns the guest output into values', async () => {
    const backend = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench));
    const out = await runRepetition({ ...base, backend });
    expect(out.status).toBe('completed');
    const job = decodeJob(backend.launched[0]!.cmdline);
    expect(job.command.steps[0]!.argv).toContain('--time=1');
    const byMetric = Object.fromEntries(out.values.map((v) => [v.metric, v.value]));
    expect(byMetric['cpu.events_per_s']).toBe(812.5);
    expect(byMetric['cpu.latency_p95_ms']).toBe(1.5);
    expect(byMetric['boot.guest_uptime_at_ready_s']).toBe(1.25);
    expect(byMetric['boot.to_ready_ms']).toBeGreaterThanOrEqual(0);
    expect(byMetric['host.vmm_cpu_s']).toBe(2);
    expect(byMetric['host.vmm_peak_rss_mib']).toBe(200);
    expect(out.guestLog).toEqual(['[    0.000000] Linux version 6.1.0-test']);
  });

  it('records a guest that hangs as timed out and kills it', async () => {
    const backend = fakeBackend(() => ({ hang: true }));
    const out = await runRepetition({ ...base, backend, timeoutSec: 0.05 });
    expect(out.status).toBe('timed-out');
    expect(out.error).toMatch(/never said ready/);
    expect(backend.killed[0]).toMatch(/timeout/);
  });

  it('fails the repetition when a step fails, keeping its boot values', async () => {
    const backend = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', 'FATAL: boom\n', 1));
    const out = await runRepetition({ ...base, backend });
    expect(out.status).toBe('failed');
    expect(out.error).toMatch(/step cpu exited with status 1/);
    expect(out.values.map((v) => v.metric)).toContain('boot.to_ready_ms');
  });

  it('fails when the guest stops before the job is done', async () => {
    const backend = fakeBackend((say, nonce) => {
      say(`HVB ${nonce} ready uptime=1.0 kernel=k`);
      say('Kernel panic - not syncing: Attempted to kill init!');
      return { exit: { kind: 'shutdown', reason: 'guest-reset' } };
    });
    const out = await runRepetition({ ...base, backend });
    expect(out.status).toBe('failed');
    expect(out.error).toMatch(/stopped before the job was done \(guest-reset\)/);
    expect(out.guestLog.at(-1)).toMatch(/Kernel panic/);
  });

  it('fails when the output does not parse', async () => {
    const backend = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', 'no numbers here\n'));
    const out = await runRepetition({ ...base, backend });
    expect(out.status).toBe('failed');
    expect(out.error).toMatch(/no "events per second:" line/);
  });

  it('stops the VM when aborted', async () => {
    const backend = fakeBackend(() => ({ hang: true }));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 20);
    const out = await runRepetition({ ...base, backend, signal: ac.signal });
    expect(out.status).toBe('failed');
    expect(out.error).toBe('interrupted');
  });

  it("gives the VM the case's shared folders, and a VM without any none", async () => {
    const share = { tag: 'hvbshare', path: '/run/scratch/fs.share', model: '9p' };
    const setup = { initrd: { path: '/img/initramfs.cpio.gz', hash: 'h', segments: [], bytes: 1 }, disks: [], nics: [], probe: [], modules: [], context: {} };
    const backend = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench));
    await runRepetition({ ...base, backend, setup: { ...setup, shares: [share] } });
    await runRepetition({ ...base, backend, setup: { ...setup, shares: [] } });
    expect(backend.launched[0]!.shares).toEqual([share]);
    expect(backend.launched[1]!.shares).toBeUndefined();
  });
});
