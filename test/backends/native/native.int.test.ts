import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAllVms, liveVms } from '../../../src/backends/common/live-vms.ts';
import { nativeBackend } from '../../../src/backends/native/native.ts';
import type { GuestImage } from '../../../src/guest/image.ts';
import { LocalHost } from '../../../src/hosts/local.ts';
import { runRepetition } from '../../../src/runner/repetition.ts';
import { caseDevices } from '../../../src/devices/case-devices.ts';
import { initrdFor } from '../../../src/guest/initrd.ts';
import { setupCase } from '../../../src/runner/case-setup.ts';
import { cpu } from '../../../src/workloads/cpu.ts';
import { disk } from '../../../src/workloads/disk.ts';
import type { Workload } from '../../../src/workloads/workload.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../../support/guest-image.ts';
import { processesInGroup } from '../fixtures/proc-scan.ts';

/** What a cpu case boots: the base archive and the sysbench segment, without devices. */
async function sysbenchSetup() {
  return { initrd: await initrdFor(image, cpu.tools ?? []), disks: [], nics: [], probe: [], modules: [], context: {} };
}
// The cpu workload run natively through the Backend interface and the real runner: the
// image's own sysbench, chrooted into its unpacked root, framed and parsed like a guest.

const host = new LocalHost();
let image: GuestImage;
let work: string;

const failing: Workload = {
  name: 'failing',
  description: 'a step that exits 1',
  params: z.object({}),
  metrics: [],
  expectedSeconds: () => 1,
  command: () => ({ steps: [{ id: 'x', argv: ['false'] }] }),
  parse: () => [],
};

describe.runIf(process.getuid?.() === 0)('native backend, for real', () => {
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'hvb-native-int-'));
    image = await guestImage();
  }, IMAGE_BUILD_TIMEOUT_MS);
  afterEach(async () => {
    await killAllVms('test finished');
    expect(liveVms.size).toBe(0);
  });
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('is available here, from evidence', async () => {
    expect(await nativeBackend.probe(host)).toMatchObject({ backend: 'native', available: true, facts: { hostKernel: release() } });
  });

  it('runs the cpu workload through runRepetition like a guest', async () => {
    const params = cpu.params.parse({ timeSec: 1 });
    const out = await runRepetition({
      backend: nativeBackend,
      host,
      image,
      workload: cpu,
      params,
      setup: await sysbenchSetup(),
      vcpus: 1,
      memoryMiB: 512,
      timeoutSec: 60,
      name: 'cpu-native',
    });
    expect(out.error).toBeUndefined();
    expect(out).toMatchObject({ status: 'completed', accel: 'native', guestKernel: release(), exit: { kind: 'shutdown', cause: 'agent-exit' } });
    const value = (m: string) => out.values.find((v) => v.metric === m)?.value;
    expect(value('cpu.events_per_s')).toBeGreaterThan(10);
    expect(value('cpu.latency_avg_ms')).toBeGreaterThan(0);
    // No guest kernel: the uptime is the agent's own age, a fraction of a second.
    expect(value('boot.guest_uptime_at_ready_s')).toBeLessThan(5);
    // CPU time of the whole tree, sysbench included: about its 1 s of work.
    expect(out.usage!.cpuUserS + out.usage!.cpuSystemS).toBeGreaterThan(0.5);
    expect(out.usage!.peakRssKiB).toBeGreaterThan(1024);
    expect(out.usage!.peakRssKiB).toBeLessThan(512 * 1024);
    expect(out.steps[0]?.output).toMatch(/^sysbench /);
  }, 60_000);

  it('runs the disk workload on a scratch disk that is a host file', async () => {
    const params = disk.params.parse({ runtimeSec: 1, sizeMiB: 64 });
    const planned = caseDevices('native', nativeBackend.devices(), disk.devices!(params));
    if ('skip' in planned) throw new Error(planned.skip);
    expect(planned.devices.disk?.model).toBe('host-file');
    const setup = await setupCase({
      caseId: 'native/disk',
      slug: 'native-disk',
      workload: disk,
      devices: planned.devices,
      image,
      host,
      scratchDir: join(work, 'scratch'),
    });
    try {
      const out = await runRepetition({
        backend: nativeBackend,
        host,
        image,
        workload: disk,
        params,
        setup,
        vcpus: 1,
        memoryMiB: 512,
        timeoutSec: 120,
        name: 'disk-native',
      });
      expect(out.error).toBeUndefined();
      expect(out.status).toBe('completed');
      for (const m of ['disk.seq_read_mib_s', 'disk.seq_write_mib_s', 'disk.rand_read_iops', 'disk.rand_write_iops']) {
        expect(out.values.find((v) => v.metric === m)?.value).toBeGreaterThan(0);
      }
    } finally {
      await setup.release();
    }
  }, 120_000);

  it('reports a failing step the way a guest does', async () => {
    const out = await runRepetition({
      backend: nativeBackend,
      host,
      image,
      workload: failing,
      params: {},
      vcpus: 1,
      memoryMiB: 512,
      timeoutSec: 30,
      name: 'fail-native',
    });
    expect(out).toMatchObject({ status: 'failed', error: expect.stringMatching(/the guest reported: step x exited with status 1/) });
    expect(out.guestLog.join('\n')).toMatch(/hvbench agent: step x exited with status 1/);
  }, 60_000);

  it('reports a counted step the way an uncounted one is reported: its status as the shell gives it, also when a signal ended it', async () => {
    // Counted, a native step runs under busybox time (for its context switches), which exits
    // with a signal's number; the agent gives the step's status as the shell would.
    // busybox timeout runs the command in its own process and has a child kill it: sleep dies of SIGKILL.
    const killed: Workload = { ...failing, command: () => ({ steps: [{ id: 'x', argv: ['timeout', '-s', 'KILL', '1', 'sleep', '5'] }] }) };
    const run = (workload: Workload) =>
      runRepetition({
        backend: nativeBackend,
        host,
        image,
        workload,
        params: {},
        vcpus: 1,
        memoryMiB: 512,
        timeoutSec: 30,
        name: 'fail-count-native',
        countEvents: true,
      });
    expect((await run(failing)).error).toMatch(/the guest reported: step x exited with status 1$/m);
    expect((await run(killed)).error).toMatch(/the guest reported: step x exited with status 137$/m);
  }, 60_000);

  it('kills the whole run on timeout and leaves no process or mount behind', async () => {
    const params = cpu.params.parse({ timeSec: 60 });
    let pid = 0;
    const backend = {
      ...nativeBackend,
      launch: async (...args: Parameters<typeof nativeBackend.launch>) => {
        const vm = await nativeBackend.launch(...args);
        pid = vm.pid;
        return vm;
      },
    };
    const t0 = Date.now();
    const out = await runRepetition({
      backend,
      host,
      image,
      workload: cpu,
      params,
      setup: await sysbenchSetup(),
      vcpus: 1,
      memoryMiB: 512,
      timeoutSec: 2,
      name: 'cpu-timeout',
    });
    expect(out.status).toBe('timed-out');
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(pid).toBeGreaterThan(0);
    expect(processesInGroup(pid)).toEqual([]);
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toMatch(/\/native\//);
  }, 60_000);
});
