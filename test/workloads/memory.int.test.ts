import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestImage } from '../../src/guest/image.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';
import { runOnTcg } from '../support/run-real.ts';

// A real guest under QEMU TCG running sysbench memory from the base image.
let image: GuestImage;
let run: Awaited<ReturnType<typeof runOnTcg>>;
beforeAll(async () => {
  image = await guestImage();
}, IMAGE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await run?.cleanup();
});

describe('the memory workload on the real TCG backend', () => {
  it('reports read and write bandwidth, booting the base initramfs and the sysbench segment', { timeout: 300_000 }, async () => {
    run = await runOnTcg(image, { name: 'memory-e2e', repetitions: 1, workloads: [{ workload: 'memory', params: { blockKiB: 64, timeSec: 2 } }] });
    expect(run.run.record.cases[0]?.status, JSON.stringify(run.run.record.cases[0]?.error)).toBe('completed');
    for (const m of ['memory.read_mib_s', 'memory.write_mib_s']) expect(run.values(m)[0]!, m).toBeGreaterThan(10);
    const dims = run.samples[0]!.dims;
    expect(dims).toMatchObject({ 'param.blockKiB': 64 });
    expect(dims.disk_model).toBeUndefined();
    expect(dims.initrd).toMatch(/^[0-9a-f]{16}$/);
  });
});
