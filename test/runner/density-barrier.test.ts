import { describe, expect, it } from 'vitest';
import type { RunningVm } from '../../src/backends/common/backend.ts';
import { DensityBarrier } from '../../src/runner/density-barrier.ts';

/** A VM that records the tokens it was released with. */
function vm(released: string[], fail?: string): RunningVm {
  return {
    release: async (token: string) => {
      if (fail) throw new Error(fail);
      released.push(token);
    },
  } as unknown as RunningVm;
}

describe('the start barrier', () => {
  it('releases nobody until the last guest waits, then each with its own nonce', async () => {
    const released: string[] = [];
    const stops: string[] = [];
    const barrier = new DensityBarrier(
      3,
      (why) => stops.push(why),
      () => 1234,
    );
    barrier.guest(0).arrive(vm(released), 'n0');
    barrier.guest(2).arrive(vm(released), 'n2');
    barrier.guest(2).arrive(vm(released), 'n2'); // said twice: counted once
    await new Promise((r) => setTimeout(r, 5));
    expect(released).toEqual([]);
    barrier.guest(1).arrive(vm(released), 'n1');
    await new Promise((r) => setTimeout(r, 5));
    expect(released.sort()).toEqual(['n0', 'n1', 'n2']);
    expect(barrier.releasedAt).toBe(1234);
    // A guest that ends after the barrier fell breaks nothing.
    barrier.ended(0, 'done');
    expect(stops).toEqual([]);
  });

  it('breaks, and stops the others, when a guest ends before it fell', () => {
    const stops: string[] = [];
    const barrier = new DensityBarrier(2, (why) => stops.push(why));
    barrier.guest(0).arrive(vm([]), 'n0');
    barrier.ended(1, 'the VM did not start: no such file');
    expect(stops).toEqual(['guest 1 ended before the start barrier (1 of 2 were waiting): the VM did not start: no such file']);
    expect(barrier.broken).toBe(stops[0]);
    // Later arrivals and endings change nothing.
    barrier.guest(1).arrive(vm([]), 'n1');
    barrier.ended(0, 'stopped');
    expect(stops).toHaveLength(1);
  });

  it('breaks with the reason when a release fails', async () => {
    const stops: string[] = [];
    const barrier = new DensityBarrier(2, (why) => stops.push(why));
    barrier.guest(0).arrive(vm([]), 'n0');
    barrier.guest(1).arrive(vm([], "QEMU's stdin is closed"), 'n1');
    await new Promise((r) => setTimeout(r, 5));
    expect(stops).toEqual(["the start barrier could not be released in guest 1: QEMU's stdin is closed"]);
    expect(barrier.releasedAt).toBeUndefined();
  });
});
