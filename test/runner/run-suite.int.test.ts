import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveVms } from '../../src/backends/common/live-vms.ts';
import { getBackend } from '../../src/backends/registry.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { readSamples } from '../../src/results/samples-file.ts';
import { openRun } from '../../src/results/store.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads as shipped } from '../../src/workloads/registry.ts';
import type { Workload } from '../../src/workloads/workload.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';
import { processesNamed } from '../support/processes.ts';

// Real guests under QEMU TCG: the shipped agent, sysbench from Debian, the real parser.

/** A job that never ends: the guest sleeps far beyond the case timeout. */
const hang: Workload = {
  name: 'hang',
  description: 'sleeps forever (test only)',
  params: z.object({}).strict(),
  metrics: [],
  expectedSeconds: () => 1,
  command: () => ({ steps: [{ id: 'hang', argv: ['sleep', '3600'] }] }),
  parse: () => [],
};
const workloads = { ...shipped, hang };
const deps = { workloads, backends: ['tcg'] };

let image: GuestImage;
let out: string;
beforeAll(async () => {
  image = await guestImage();
  out = await mkdtemp(join(tmpdir(), 'hvb-run-'));
}, IMAGE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

async function run(suiteInput: unknown) {
  const suite = resolveSuite(suiteInput, deps, 'test-suite');
  const cases = expandSuite(suite, deps);
  return runSuite({ suite, suiteFile: 'test-suite', cases, outDir: out, image, host: new LocalHost(), backends: getBackend, workloads });
}

describe('a suite on the real TCG backend', () => {
  it('boots the guest, runs sysbench cpu and writes plausible samples', { timeout: 300_000 }, async () => {
    const { run: stored, samples } = await run({ name: 'cpu-e2e', repetitions: 2, workloads: [{ workload: 'cpu', params: { timeSec: 2 } }] });
    expect(stored.record.status).toBe('completed');
    expect(stored.record.cases[0]?.status).toBe('completed');
    expect(stored.record.cases[0]?.repetitionsDone).toBe(2);

    const value = (metric: string) => samples.filter((s) => s.metric === metric).map((s) => s.value);
    expect(value('cpu.events_per_s')).toHaveLength(2);
    for (const v of value('cpu.events_per_s')) expect(v).toBeGreaterThan(0);
    for (const v of value('cpu.latency_p95_ms')) expect(v).toBeGreaterThan(0);
    for (const v of value('boot.to_ready_ms')) expect(v).toBeGreaterThan(0);
    for (const v of value('boot.guest_uptime_at_ready_s')) expect(v).toBeGreaterThan(0);
    for (const v of value('host.vmm_peak_rss_mib')) expect(v).toBeGreaterThan(16);
    for (const s of samples) {
      expect(s.dims.accel).toBe('tcg');
      expect(s.dims.image).toBe(image.hash);
      expect(s.dims.guest_kernel).toBe(image.manifest.kernel.version);
      expect(s.dims.qemu).toMatch(/^\d+\.\d+/);
    }
    // The guest's boot is shorter than the host's view of it (firmware, kernel loading).
    expect(value('boot.guest_uptime_at_ready_s')[0]! * 1000).toBeLessThan(value('boot.to_ready_ms')[0]!);

    const reread = await readSamples(await openRun(stored.dir));
    expect(reread.samples).toEqual(samples);
    const runJson = JSON.parse(await readFile(join(stored.dir, 'run.json'), 'utf8'));
    expect(runJson.cases[0].usage[0].accel).toBe('tcg');
    expect(runJson.backends[0].facts.qemu).toMatch(/^\d+\.\d+/);
    const log = await readFile(join(stored.dir, runJson.cases[0].logs[0]), 'utf8');
    expect(log).toMatch(/events per second:/);
    expect(liveVms.size).toBe(0);
  });

  it('kills a guest that hangs at the timeout and records the case as timed out', { timeout: 300_000 }, async () => {
    const { run: stored, samples } = await run({ name: 'hang-e2e', repetitions: 2, timeoutSec: 40, workloads: [{ workload: 'hang' }] });
    const c = stored.record.cases[0]!;
    expect(c.status).toBe('timed-out');
    expect(c.error?.message).toMatch(/timed out after 40 s: the guest said ready but did not finish/);
    expect(c.repetitionsDone).toBe(0);
    // It stops at the first timeout instead of hanging once per repetition…
    expect(c.usage).toHaveLength(1);
    // …and keeps what was measured before it: the boot.
    expect(samples.map((s) => s.metric)).toContain('boot.to_ready_ms');
    expect(liveVms.size).toBe(0);
    // QEMUs this test started (other work on the machine may start and stop its own meanwhile).
    expect(processesNamed('qemu-system').filter((pid) => parentOf(pid) === process.pid)).toEqual([]);
  });
});

/** The parent pid of a process (field 4 of /proc/<pid>/stat), or undefined once it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(
      stat
        .slice(stat.lastIndexOf(')') + 1)
        .trim()
        .split(/\s+/)[1],
    );
  } catch {
    return undefined;
  }
}
