import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PerfKvmRecorder } from '../../../src/backends/qemu/perf-kvm-record.ts';
import { PERF_KVM_COUNTERS } from '../../../src/backends/qemu/perf-kvm-stat.ts';
import { LocalHost } from '../../../src/hosts/local.ts';
import { processesNamed } from '../../support/processes.ts';

// A real perf (Debian's linux-perf, installed by scripts/setup-host.sh --for-tests) recording
// the KVM tracepoints of a process that runs no VM: every segment is real perf output with no
// exits in it. The KVM lab test records a real guest's exits the same way.
describe('perf kvm stat record, segment by segment (real perf)', () => {
  let target: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    target?.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records from start to stop; each read closes a segment, reports it and adds it to the sums; nothing is left', { timeout: 240_000 }, async () => {
    target = spawn('sleep', ['120'], { stdio: 'ignore' });
    dir = await mkdtemp(join(tmpdir(), 'hvb-perf-kvm-'));
    const before = processesNamed('perf');
    const recorder = await PerfKvmRecorder.start(new LocalHost(), target.pid!, dir);
    const asked = Date.now();
    // Asked together, as a step's `ran` and the next step's `begin` are: their segments close in turn.
    const [first, second] = await Promise.all([recorder.read(), recorder.read()]);
    expect(first).toEqual({ source: 'perf-kvm-stat', counts: Object.fromEntries(PERF_KVM_COUNTERS.map((c) => [c, 0])), at: expect.any(Number) });
    expect(second.counts).toEqual(first.counts);
    // Each reading's moment is when its segment was closed, in order.
    expect(first.at).toBeGreaterThanOrEqual(asked);
    expect(second.at).toBeGreaterThan(first.at!);
    expect(second.at).toBeLessThanOrEqual(Date.now());
    // Each segment's file is gone once read; the live recording's own file stays until the end.
    expect(await readdir(dir)).toEqual(['perf.data']);
    await recorder.stop();
    expect(processesNamed('perf').filter((p) => !before.includes(p))).toEqual([]);
  });

  it('says so when perf cannot record the pid', { timeout: 60_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'hvb-perf-kvm-'));
    await expect(PerfKvmRecorder.start(new LocalHost(), 2 ** 22 + 1, dir)).rejects.toThrow(/perf kvm stat record on local ended: /);
  });
});
