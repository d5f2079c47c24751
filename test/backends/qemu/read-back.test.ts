import { describe, expect, it } from 'vitest';
import { cacheMode, qemuReadBack } from '../../../src/backends/qemu/read-back.ts';
import type { QmpClient } from '../../../src/backends/qemu/qmp.ts';

describe('QEMU read-back', () => {
  it('names the cache mode from query-block flags', () => {
    expect(cacheMode({ writeback: true, direct: true, 'no-flush': false })).toBe('none');
    expect(cacheMode({ writeback: true, direct: false, 'no-flush': false })).toBe('writeback');
    expect(cacheMode({ writeback: false, direct: false, 'no-flush': false })).toBe('writethrough');
    expect(cacheMode({ writeback: false, direct: true, 'no-flush': false })).toBe('directsync');
    expect(cacheMode({ writeback: true, direct: false, 'no-flush': true })).toBe('unsafe');
    expect(cacheMode({})).toBeUndefined();
  });

  it('reports the drives with a medium only', async () => {
    const answer = [
      { device: 'floppy0', locked: false },
      { device: 'd0', inserted: { cache: { writeback: true, direct: true, 'no-flush': false } } },
    ];
    const qmp = { execute: async () => answer } as unknown as QmpClient;
    expect(await qemuReadBack(qmp)).toEqual({ disk_cache: 'none' });
    const empty = { execute: async () => [] } as unknown as QmpClient;
    expect(await qemuReadBack(empty)).toEqual({});
  });
});
