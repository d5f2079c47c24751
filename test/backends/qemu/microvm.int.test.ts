import { describe, expect, it } from 'vitest';
import { tcgBackend } from '../../../src/backends/qemu/tcg.ts';
import { caseDevices } from '../../../src/devices/case-devices.ts';
import { initrdFor } from '../../../src/guest/initrd.ts';
import { LocalHost } from '../../../src/hosts/local.ts';
import { setupCase } from '../../../src/runner/case-setup.ts';
import { runRepetition } from '../../../src/runner/repetition.ts';
import { cpu } from '../../../src/workloads/cpu.ts';
import { disk } from '../../../src/workloads/disk.ts';
import { realGuestHooks } from '../../support/guest-image.ts';

// The real guest image on QEMU's microvm board under TCG, through the real runner: no PCI,
// virtio over MMIO found through ACPI, the console on the ISA serial port, the guest told
// the host's TSC rate. One short cpu step, one short disk job on virtio-blk-device.

const host = new LocalHost();
const MACHINE = 'microvm';

describe('tcg on the microvm machine, with the real guest image', () => {
  const guest = realGuestHooks('hvb-microvm-int-');

  it('boots, runs a cpu step with a clock that keeps time, and powers off', async () => {
    const params = cpu.params.parse({ timeSec: 1 });
    const setup = { initrd: await initrdFor(guest.image, cpu.tools ?? []), disks: [], nics: [], probe: [], modules: [], context: {} };
    const t0 = Date.now();
    const out = await runRepetition({
      backend: tcgBackend,
      host,
      image: guest.image,
      workload: cpu,
      params,
      setup,
      variant: MACHINE,
      vcpus: 1,
      memoryMiB: 512,
      timeoutSec: 240,
      name: 'cpu-microvm',
    });
    const wallMs = Date.now() - t0;
    expect(out.error, out.guestLog.slice(-20).join('\n')).toBeUndefined();
    expect(out).toMatchObject({ status: 'completed', accel: 'tcg', exit: { kind: 'shutdown', cause: 'guest-shutdown' } });
    expect(out.values.find((v) => v.metric === 'cpu.events_per_s')?.value).toBeGreaterThan(1);
    // The guest's clock runs at the host's pace: sysbench's 1 s is about 1 s, and the
    // guest's uptime at ready fits inside the wall time of the whole boot.
    expect(out.steps[0]!.elapsedMs).toBeGreaterThan(800);
    expect(out.steps[0]!.elapsedMs).toBeLessThan(3_000);
    const uptime = out.values.find((v) => v.metric === 'boot.guest_uptime_at_ready_s')?.value;
    expect(uptime).toBeGreaterThan(0.2);
    expect(uptime! * 1000).toBeLessThan(wallMs);
    expect(out.facts['clocksource']).not.toMatch(/jiffies/);
  }, 300_000);

  it('runs a disk job on virtio-blk-device, bound by virtio_blk over virtio-mmio', async () => {
    const params = disk.params.parse({ runtimeSec: 1, sizeMiB: 32 });
    const planned = caseDevices('tcg', tcgBackend.devices(MACHINE), disk.devices!(params));
    if ('skip' in planned) throw new Error(planned.skip);
    expect(planned.devices.disk?.model).toBe('virtio-blk');
    const setup = await setupCase({
      caseId: 'tcg:microvm/disk',
      slug: 'microvm-disk',
      workload: disk,
      devices: planned.devices,
      image: guest.image,
      host,
      scratchDir: guest.work,
    });
    try {
      const out = await runRepetition({
        backend: tcgBackend,
        host,
        image: guest.image,
        workload: disk,
        params,
        setup,
        variant: MACHINE,
        vcpus: 1,
        memoryMiB: 512,
        timeoutSec: 240,
        name: 'disk-microvm',
      });
      expect(out.error, out.guestLog.slice(-20).join('\n')).toBeUndefined();
      expect(out.status).toBe('completed');
      expect(out.dims).toMatchObject({ disk_driver: 'virtio_blk' });
      expect(out.facts['disk_drivers']).toBe('virtio_blk,virtio-mmio');
      for (const m of ['disk.seq_read_mib_s', 'disk.rand_write_iops']) expect(out.values.find((v) => v.metric === m)?.value).toBeGreaterThan(0);
    } finally {
      await setup.release();
    }
  }, 300_000);

  it('skips what the board lacks, with the reason', () => {
    const planned = caseDevices('tcg', tcgBackend.devices(MACHINE), { disk: { io: 'emulated', sizeMiB: 32 } });
    expect(planned).toEqual({ skip: expect.stringMatching(/^microvm has no PCI bus/) });
  });
});
