import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestImage } from '../../src/guest/image.ts';
import { MICRO_OPS } from '../../src/workloads/micro.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';
import { runOnTcg } from '../support/run-real.ts';

// A real guest under QEMU TCG running hvb-micro, compiled at image build time, from its segment.
let image: GuestImage;
let run: Awaited<ReturnType<typeof runOnTcg>>;
beforeAll(async () => {
  image = await guestImage();
}, IMAGE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await run?.cleanup();
});

describe('the micro workload on the real TCG backend', () => {
  it('times every operation, the I/O port access included (root in the guest)', { timeout: 300_000 }, async () => {
    run = await runOnTcg(image, { name: 'micro-e2e', repetitions: 1, workloads: [{ workload: 'micro', params: { msPerOp: 50 } }] });
    expect(run.run.record.cases[0]?.status, JSON.stringify(run.run.record.cases[0]?.error)).toBe('completed');
    for (const op of MICRO_OPS) {
      const [ns] = run.values(`micro.${op}_ns`);
      expect(ns, op).toBeGreaterThan(0.1);
      expect(ns, op).toBeLessThan(10_000_000);
    }
    // A page fault (trap, allocation, zeroing 4 KiB) costs more than a null system call.
    expect(run.values('micro.pagefault_ns')[0]!).toBeGreaterThan(run.values('micro.syscall_ns')[0]!);
    expect(run.values('micro.devport_ns')).toEqual([]);
  });

  it('times the port through /dev/port when asked (the way it falls back to where IN faults)', { timeout: 300_000 }, async () => {
    await run?.cleanup();
    run = await runOnTcg(image, { name: 'micro-devport', repetitions: 1, workloads: [{ workload: 'micro', params: { msPerOp: 50, ioport: 'devport' } }] });
    expect(run.run.record.cases[0]?.status, JSON.stringify(run.run.record.cases[0]?.error)).toBe('completed');
    expect(run.values('micro.ioport_ns')).toEqual([]);
    // A system call doing the IN in the kernel: at least the null system call's cost.
    const [devport] = run.values('micro.devport_ns');
    expect(devport).toBeGreaterThan(run.values('micro.syscall_ns')[0]!);
    process.stderr.write(`micro under TCG: devport ${devport} ns, syscall ${run.values('micro.syscall_ns')[0]} ns\n`);
  });
});
