import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveVms } from '../../src/backends/common/live-vms.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { SshHost } from '../../src/hosts/ssh-host.ts';
import { LOGS_DIR } from '../../src/results/store.ts';
import type { RunHost } from '../../src/runner/run-suite.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';
import { processesNamed } from '../support/processes.ts';
import { runOnTcg } from '../support/run-real.ts';
import { startSshd, type TestSshd } from '../support/sshd.ts';

// Two real TCG guests at once through the start barrier: each boots, waits, gets its own
// `go` on its serial console, runs sysbench cpu for 2 s, and both complete. One repetition,
// locally and on a "remote" host (a private sshd on 127.0.0.1), where the go line travels
// through the ssh channel and the watchdog that keeps it.

let image: GuestImage;
let out: string;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  image = await guestImage();
  out = await mkdtemp(join(tmpdir(), 'hvb-density-'));
}, IMAGE_BUILD_TIMEOUT_MS);
let sshd: TestSshd | undefined;
let remote: SshHost | undefined;
afterAll(async () => {
  await remote?.close();
  await sshd?.stop();
  for (const cleanup of cleanups) await cleanup();
  await rm(out, { recursive: true, force: true });
});

/** QEMUs of this test's guests still on the machine. */
function ourQemus(): number[] {
  return processesNamed('qemu-system').filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('hvbench-cpu-r1-g');
    } catch {
      return false;
    }
  });
}

/** The 2-guest cpu case, one repetition, with its first repetition's log; it must have completed. */
async function densityRun(name: string, hosts?: RunHost[]) {
  const suite = { name, repetitions: 1, guest: { memoryMiB: 256 }, workloads: [{ workload: 'cpu', params: { timeSec: 2 }, guests: 2 }] };
  const result = await runOnTcg(image, suite, hosts ? { hosts } : {});
  cleanups.push(result.cleanup);
  const { run } = result;
  const logs = await readdir(join(run.dir, LOGS_DIR));
  const log = await readFile(join(run.dir, LOGS_DIR, logs.find((f) => f.endsWith('.r1.log')) ?? 'none'), 'utf8').catch(() => '');
  expect(run.record.cases[0]?.status, `${run.record.cases[0]?.error?.message}\n${log.slice(-3000)}`).toBe('completed');
  return { ...result, log };
}

describe('a density case on the real TCG backend', () => {
  it('runs two guests through the start barrier, with their own and the aggregate samples, and leaves no VM', { timeout: 180_000 }, async () => {
    const started = Date.now();
    const { samples, log } = await densityRun('density-e2e');

    const eps = samples.filter((s) => s.metric === 'cpu.events_per_s');
    expect(eps.map((s) => [s.dims.guests, s.dims.guest_index])).toEqual([
      [2, 0],
      [2, 1],
    ]);
    for (const s of eps) expect(s.value).toBeGreaterThan(0);
    const aggregate = (suffix: string) => samples.find((s) => s.metric === `cpu.events_per_s.${suffix}`);
    expect(aggregate('sum')?.value).toBeCloseTo(eps[0]!.value + eps[1]!.value, 6);
    expect(aggregate('jain')?.value).toBeGreaterThan(0.5);
    expect(aggregate('jain')?.value).toBeLessThanOrEqual(1);
    expect(aggregate('min_max_ratio')?.value).toBeGreaterThan(0);
    expect(aggregate('sum')?.dims).toMatchObject({ guests: 2, backend: 'tcg', accel: 'tcg' });
    expect(aggregate('sum')?.dims).not.toHaveProperty('guest_index');

    // The go line never came back as console output (the agent turned the echo off first).
    expect(log).toContain('--- guest 1 ---');
    expect(log).not.toMatch(/^go /m);
    // No VM left: none in this process's table, no QEMU of either guest on the machine.
    expect(liveVms.size).toBe(0);
    expect(ourQemus()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(120_000);
  });

  it('releases both guests on a remote host through the ssh channel', { timeout: 240_000 }, async () => {
    sshd = await startSshd();
    remote = new SshHost(sshd.config({ name: 'remote' }), { fileCacheDir: join(out, 'cache') });
    const { samples, log } = await densityRun('density-remote', [{ config: sshd.config({ name: 'remote', backends: ['tcg'] }), host: remote }]);
    const eps = samples.filter((s) => s.metric === 'cpu.events_per_s');
    expect(eps.map((s) => [s.dims.host, s.dims.guest_index])).toEqual([
      ['remote', 0],
      ['remote', 1],
    ]);
    expect(samples.find((s) => s.metric === 'cpu.events_per_s.sum')?.value).toBeCloseTo(eps[0]!.value + eps[1]!.value, 6);
    expect(log).not.toMatch(/^go /m);
    expect(liveVms.size).toBe(0);
    expect(ourQemus()).toEqual([]);
  });
});
