import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseJitStats } from '../../../src/backends/qemu/jit-stats.ts';

describe("TCG's statistics (x-query-jit)", () => {
  it('reads the counters from the text QEMU 7.2 gave for a booted guest', () => {
    const text = readFileSync(new URL('./fixtures/x-query-jit.txt', import.meta.url), 'utf8');
    expect(parseJitStats(text)).toEqual({
      tb_count: 83088,
      tb_flushes: 0,
      tb_invalidations: 13888,
      tlb_full_flushes: 0,
      tlb_partial_flushes: 34164,
      tlb_elided_flushes: 104244,
    });
  });

  it('leaves out what the text does not say', () => {
    expect(parseJitStats('[TCG profiler not compiled]\n')).toEqual({});
    expect(parseJitStats('TB flush count      7\n')).toEqual({ tb_flushes: 7 });
  });
});
