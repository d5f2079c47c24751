import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveVms } from '../../src/backends/common/live-vms.ts';
import type { GuestImage } from '../../src/guest/image.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';
import { runOnTcg } from '../support/run-real.ts';

// Real guests under QEMU TCG: fio from Debian in the fio segment, a scratch disk per case,
// the agent's disk probe, the real parser. About 1.5 minutes.
let image: GuestImage;
let run: Awaited<ReturnType<typeof runOnTcg>>;
beforeAll(async () => {
  image = await guestImage();
}, IMAGE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await run?.cleanup();
});

describe('the disk workload on the real TCG backend', () => {
  it('measures a paravirtual (virtio-blk) and an emulated (IDE) disk, each bound to its own driver', { timeout: 600_000 }, async () => {
    run = await runOnTcg(image, {
      name: 'disk-e2e',
      repetitions: 1,
      workloads: [{ workload: 'disk', params: { io: ['paravirtual', 'emulated'], sizeMiB: 64, runtimeSec: 2, queueDepth: 8 } }],
    });
    const [virtio, ide] = run.run.record.cases;
    expect([virtio?.status, ide?.status], JSON.stringify(run.run.record.cases.map((c) => c.error))).toEqual(['completed', 'completed']);

    const dims = (caseId: string) => run.samples.find((s) => s.dims.case === caseId && s.metric === 'disk.rand_read_iops')!.dims;
    expect(dims(virtio!.id)).toMatchObject({ io: 'paravirtual', disk_model: 'virtio-blk', disk_driver: 'virtio_blk' });
    expect(dims(ide!.id)).toMatchObject({ io: 'emulated', disk_model: 'ide', disk_driver: 'ata_piix' });
    // Both boot the base initramfs plus the fio segment; the image hash stays the image's.
    expect(dims(virtio!.id).initrd).toBe(dims(ide!.id).initrd);
    expect(dims(virtio!.id).initrd).not.toBe(image.hash);
    expect(dims(virtio!.id).image).toBe(image.hash);

    for (const c of [virtio!, ide!]) {
      for (const m of ['disk.seq_read_mib_s', 'disk.seq_write_mib_s']) expect(run.values(m, c.id)[0]!, `${c.id} ${m}`).toBeGreaterThan(1);
      for (const m of ['disk.rand_read_iops', 'disk.rand_write_iops']) expect(run.values(m, c.id)[0]!, `${c.id} ${m}`).toBeGreaterThan(10);
      const p50 = run.values('disk.rand_read_clat_p50_us', c.id)[0]!;
      expect(p50).toBeGreaterThan(1);
      expect(run.values('disk.rand_read_clat_p99_us', c.id)[0]!).toBeGreaterThanOrEqual(p50);
      expect(run.values('host.cpu_s_per_gib', c.id)[0]!).toBeGreaterThan(0);
      expect(run.values('host.vmm_job_cpu_s', c.id)[0]!).toBeLessThan(run.values('host.vmm_cpu_s', c.id)[0]!);
    }
    expect(existsSync(join(run.run.dir, 'scratch'))).toBe(false);
    expect(liveVms.size).toBe(0);
  });
});
