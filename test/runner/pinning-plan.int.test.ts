import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/common/backend.ts';
import { vcpuThreads } from '../../src/backends/qemu/pinning.ts';
import type { QemuVm } from '../../src/backends/qemu/running-vm.ts';
import { getBackend } from '../../src/backends/registry.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

// A real TCG guest on this machine (2 CPUs): `auto` puts its vCPU on CPU 1 and QEMU's other
// threads on CPU 0. The affinity is read from /proc while the guest runs.

const deps = { workloads, backends: ['tcg'] };
let image: GuestImage;
let out: string;
beforeAll(async () => {
  image = await guestImage();
  out = await mkdtemp(join(tmpdir(), 'hvb-pin-'));
}, IMAGE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

/** Cpus_allowed_list of every thread of a process, by thread id. */
function affinities(pid: number): Map<number, string> {
  const tasks = readdirSync(`/proc/${pid}/task`).map(Number);
  return new Map(tasks.map((tid) => [tid, /^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))?.[1] ?? '?']));
}

describe('pinning a real TCG guest', () => {
  it('runs its vCPU thread on CPU 1 and the rest of QEMU on CPU 0, and records the pinning in the samples', { timeout: 300_000 }, async () => {
    const seen: { vcpuThreads: number[]; affinity: Map<number, string> }[] = [];
    const tcg = getBackend('tcg');
    const watched: Backend = {
      ...tcg,
      async launch(vm, host) {
        const running = (await tcg.launch(vm, host)) as QemuVm;
        const threads = await vcpuThreads(running.qmpClient!);
        seen.push({ vcpuThreads: threads.map((t) => t.threadId), affinity: affinities(running.pid) });
        return running;
      },
    };
    const suite = resolveSuite({ name: 'pinned', pinning: 'auto', repetitions: 1, workloads: [{ workload: 'cpu', params: { timeSec: 1 } }] }, deps, 'pinned');
    const { run, samples } = await runSuite({
      suite,
      suiteFile: 'pinned',
      cases: expandSuite(suite, deps),
      outDir: out,
      image,
      host: new LocalHost(),
      backends: (name) => (name === 'tcg' ? watched : getBackend(name)),
      workloads,
    });
    expect(run.record.cases[0]?.status).toBe('completed');
    expect(seen).toHaveLength(1);
    const {
      vcpuThreads: [vcpu],
      affinity,
    } = seen[0]!;
    expect(affinity.get(vcpu!)).toBe('1');
    const others = [...affinity].filter(([tid]) => tid !== vcpu);
    expect(others.length).toBeGreaterThan(0);
    for (const [tid, cpus] of others) expect(cpus, `QEMU thread ${tid}`).toBe('0');
    expect(samples.length).toBeGreaterThan(0);
    for (const s of samples) expect(s.dims.pinning).toBe('vcpus=1;vmm=0');
  });
});
