import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend, VmSpec } from '../../src/backends/backend.ts';
import { listXenDomains } from '../../src/backends/xen-probe.ts';
import { xenBackend } from '../../src/backends/xen.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { hostFromConfig } from '../../src/hosts/from-config.ts';
import type { Host } from '../../src/hosts/host.ts';
import { labDown, labUp } from '../../src/labs/lab.ts';
import { labHostConfig } from '../../src/labs/state.ts';
import { setupCase } from '../../src/runner/case-setup.ts';
import { runRepetition } from '../../src/runner/repetition.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

// The Xen backend against real Xen: the Xen lab (Xen 4.17 + a Linux dom0 under QEMU TCG),
// reached over SSH like any remote dom0. A PV and a PVH guest run the cpu job and must
// finish with the agent's `done`. The lab is brought down again if this test brought it up.
// Slow on a busy 2-core machine: the lab boots in about 1.5 min, each guest in 1 to 3 min.

const LAB_TIMEOUT_MS = 10 * 60_000;
const GUEST_TIMEOUT_MS = 8 * 60_000;

let host: Host & { close?: () => Promise<void> };
let image: GuestImage;
let broughtUp = false;

beforeAll(async () => {
  const lab = await labUp('xen', { log: (line) => process.stderr.write(`lab: ${line}\n`) });
  broughtUp = !lab.alreadyUp;
  host = hostFromConfig(labHostConfig(lab.state));
  image = await guestImage();
}, LAB_TIMEOUT_MS + IMAGE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await host?.close?.();
  if (broughtUp) await labDown('xen');
}, 120_000);

describe('xen backend in the Xen lab', () => {
  it('probes the lab as a dom0 that runs PV and PVH guests', async () => {
    const found = await xenBackend.probe(host);
    expect(found).toMatchObject({ backend: 'xen', available: true, facts: { xen: expect.stringMatching(/^4\.17\./), xen_guest_types: expect.stringContaining('pvh') } });
  }, 120_000);

  it.each(['pv', 'pvh'] as const)('runs the cpu job in a %s guest to its done frame, and leaves no domain behind', async (xenType) => {
    const typed: Backend = { ...xenBackend, launch: (vm: VmSpec, h: Host) => xenBackend.launch({ ...vm, xenType }, h) };
    const workload = workloads['cpu']!;
    const setup = await setupCase({ caseId: `xen:${xenType}/cpu`, slug: 'case-1', workload, devices: {}, image, host, scratchDir: '/var/tmp/hvbench-scratch' });
    try {
      const out = await runRepetition({ backend: typed, host, image, workload, params: { threads: 1, timeSec: 3, maxPrime: 2000 }, vcpus: 1, memoryMiB: 256, timeoutSec: 420, name: `cpu-${xenType}`, setup });
      process.stderr.write(`xen ${xenType}: ${out.status}, boot.to_ready_ms ${out.values.find((v) => v.metric === 'boot.to_ready_ms')?.value}, guest uptime at ready ${out.values.find((v) => v.metric === 'boot.guest_uptime_at_ready_s')?.value} s, usage ${JSON.stringify(out.usage)}\n`);
      expect(out.error).toBeUndefined();
      expect(out.status).toBe('completed');
      expect(out.accel).toBe(`xen-${xenType}`);
      expect(out.exit).toEqual({ kind: 'shutdown', reason: 'guest powered off', cause: 'poweroff' });
      expect(out.values.map((v) => v.metric)).toEqual(expect.arrayContaining(['boot.to_ready_ms', 'cpu.events_per_s', 'host.vmm_cpu_s', 'host.vmm_job_cpu_s']));
      expect(out.usage?.cpuUserS).toBeGreaterThan(0);
      expect(await listXenDomains(host)).toEqual([]);
    } finally {
      await setup.release();
    }
  }, GUEST_TIMEOUT_MS);
});
