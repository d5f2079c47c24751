import type { QmpClient } from './qmp.ts';

/** How long QEMU may take to answer `query-block` while the guest boots (under TCG, slowly). */
const READ_BACK_TIMEOUT_MS = 5_000;

interface BlockCache {
  writeback?: unknown;
  direct?: unknown;
  'no-flush'?: unknown;
}

/**
 * The `-drive cache=` mode QEMU reports for a drive (`query-block` → inserted.cache):
 * none (O_DIRECT, write-back to the guest), writeback, writethrough, directsync, unsafe.
 */
export function cacheMode(cache: BlockCache): string | undefined {
  if (typeof cache.writeback !== 'boolean' || typeof cache.direct !== 'boolean') return undefined;
  if (cache['no-flush'] === true) return 'unsafe';
  if (cache.direct) return cache.writeback ? 'none' : 'directsync';
  return cache.writeback ? 'writeback' : 'writethrough';
}

/**
 * What QEMU says it gave the guest, for the equivalence manifest: the cache mode of its
 * disks (`disk_cache`, in drive order; several disks: comma-separated). Empty when QEMU
 * has no drive with a medium.
 */
export async function qemuReadBack(qmp: QmpClient): Promise<Record<string, string>> {
  const blocks = await qmp.execute<unknown>('query-block', undefined, { timeoutMs: READ_BACK_TIMEOUT_MS });
  const modes = (Array.isArray(blocks) ? blocks : [])
    .map((b: { inserted?: { cache?: BlockCache } }) => (b.inserted?.cache ? cacheMode(b.inserted.cache) : undefined))
    .filter((m): m is string => m !== undefined);
  return modes.length > 0 ? { disk_cache: modes.join(',') } : {};
}
