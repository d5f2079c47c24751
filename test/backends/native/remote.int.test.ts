import { readdirSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { killAllVms, liveVms } from '../../../src/backends/common/live-vms.ts';
import { nativeBackend } from '../../../src/backends/native/native.ts';
import { REMOTE_NATIVE_DIR } from '../../../src/backends/native/remote-root.ts';
import { caseDevices } from '../../../src/devices/case-devices.ts';
import type { GuestImage } from '../../../src/guest/image.ts';
import { initrdFor } from '../../../src/guest/initrd.ts';
import type { SshHost } from '../../../src/hosts/ssh-host.ts';
import { setupCase } from '../../../src/runner/case-setup.ts';
import { runRepetition } from '../../../src/runner/repetition.ts';
import { cpu } from '../../../src/workloads/cpu.ts';
import { disk } from '../../../src/workloads/disk.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../../support/guest-image.ts';
import { startSshHost, type TestSshHost } from '../../support/ssh-host.ts';
import { descendants } from '../../support/sshd.ts';

// The native backend on a "remote" host: everything goes through ssh to a private sshd on
// 127.0.0.1 (the image root sent and unpacked there, the scratch disk opened there, the
// run's group killed there), the path a lab host takes, while the test can still look at
// the real processes in /proc.

let ssh: TestSshHost | undefined;
let host: SshHost;
let image: GuestImage;

/** Live processes whose command line runs from an image root unpacked for remote runs. */
function remoteRunProcesses(): string[] {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    if (cmdline.includes(`${REMOTE_NATIVE_DIR}/`)) found.push(`${entry} ${cmdline}`);
  }
  return found;
}

describe.runIf(process.getuid?.() === 0)('native backend through an SshHost to 127.0.0.1', () => {
  beforeAll(async () => {
    image = await guestImage();
    ssh = await startSshHost('hvb-native-remote-');
    host = ssh.host;
  }, IMAGE_BUILD_TIMEOUT_MS);

  afterEach(async () => {
    await killAllVms('test finished');
    expect(liveVms.size).toBe(0);
  });

  afterAll(async () => {
    await killAllVms('tests finished');
    await ssh?.stop();
    if (ssh) expect(descendants(ssh.sshdPid)).toEqual([]);
    expect(remoteRunProcesses()).toEqual([]);
  });

  it('is available there, from evidence gathered over ssh', async () => {
    expect(await nativeBackend.probe(host)).toMatchObject({
      backend: 'native',
      available: true,
      reason: expect.stringContaining(`host ${host.name}'s kernel`),
      facts: { hostKernel: release() },
    });
  });

  it('runs the cpu workload there, counted, with the CPU time of the whole run from busybox time', async () => {
    const params = cpu.params.parse({ timeSec: 1 });
    const out = await runRepetition({
      backend: nativeBackend,
      host,
      image,
      workload: cpu,
      params,
      setup: { initrd: await initrdFor(image, cpu.tools ?? []), disks: [], nics: [], probe: [], modules: [], context: {} },
      vcpus: 1,
      memoryMiB: 512,
      timeoutSec: 120,
      name: 'cpu-native-remote',
      countEvents: true,
    });
    expect(out.error).toBeUndefined();
    expect(out).toMatchObject({ status: 'completed', accel: 'native', guestKernel: release(), exit: { kind: 'shutdown', cause: 'agent-exit' } });
    expect(out.values.find((v) => v.metric === 'cpu.events_per_s')?.value).toBeGreaterThan(10);
    // The agent's own counters, as on the local host.
    expect(out.dims.event_source).toBe('proc-rusage');
    expect(out.usage!.cpuUserS + out.usage!.cpuSystemS).toBeGreaterThan(0.5);
    expect(out.usage!.peakRssKiB).toBeGreaterThan(1024);
    // The root was unpacked there once, from the same bytes as the local one.
    expect(readdirSync(REMOTE_NATIVE_DIR).some((d) => /^[0-9a-f]{16}$/.test(d))).toBe(true);
  }, 300_000);

  it('runs the disk workload on a scratch disk made and opened on that host', async () => {
    const params = disk.params.parse({ runtimeSec: 1, sizeMiB: 64 });
    const planned = caseDevices('native', nativeBackend.devices(), disk.devices!(params));
    if ('skip' in planned) throw new Error(planned.skip);
    const setup = await setupCase({
      caseId: 'native/disk',
      slug: 'native-disk-remote',
      workload: disk,
      devices: planned.devices,
      image,
      host,
      scratchDir: join(ssh!.dir, 'disks'),
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
        timeoutSec: 180,
        name: 'disk-native-remote',
      });
      expect(out.error).toBeUndefined();
      for (const m of ['disk.seq_read_mib_s', 'disk.seq_write_mib_s', 'disk.rand_read_iops', 'disk.rand_write_iops']) {
        expect(out.values.find((v) => v.metric === m)?.value, m).toBeGreaterThan(0);
      }
    } finally {
      await setup.release();
    }
  }, 300_000);

  it('kills the whole run there on timeout and leaves no process behind', async () => {
    const t0 = Date.now();
    const out = await runRepetition({
      backend: nativeBackend,
      host,
      image,
      workload: cpu,
      params: cpu.params.parse({ timeSec: 60 }),
      setup: { initrd: await initrdFor(image, cpu.tools ?? []), disks: [], nics: [], probe: [], modules: [], context: {} },
      vcpus: 1,
      memoryMiB: 512,
      timeoutSec: 5,
      name: 'cpu-native-remote-timeout',
    });
    expect(out.status).toBe('timed-out');
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(remoteRunProcesses()).toEqual([]);
  }, 120_000);
});
