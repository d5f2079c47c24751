import type { Virsh } from './virsh.ts';

/** How long QEMU may take to answer `query-block` while the guest boots (under TCG, slowly). */
const READ_BACK_TIMEOUT_MS = 10_000;

interface BlockCache {
  writeback?: unknown;
  direct?: unknown;
  'no-flush'?: unknown;
}

/** A drive's cache mode from QEMU's `query-block` flags: none, writeback, writethrough, directsync or unsafe. */
export function blockCacheMode(cache: BlockCache): string | undefined {
  if (typeof cache.writeback !== 'boolean' || typeof cache.direct !== 'boolean') return undefined;
  if (cache['no-flush'] === true) return 'unsafe';
  if (cache.direct) return cache.writeback ? 'none' : 'directsync';
  return cache.writeback ? 'writeback' : 'writethrough';
}

/**
 * What the domain's QEMU says it gave the guest, for the equivalence manifest, as the direct
 * QEMU backends read it: the cache mode of its disks (`disk_cache`, in drive order), asked
 * through `virsh qemu-monitor-command … query-block`. Empty when it has no disk.
 */
export async function libvirtReadBack(virsh: Virsh, domain: string): Promise<Record<string, string>> {
  const text = await virsh.ok('qemu-monitor-command', [domain, JSON.stringify({ execute: 'query-block' })], { timeoutMs: READ_BACK_TIMEOUT_MS });
  const blocks = (JSON.parse(text) as { return?: unknown }).return;
  const modes = (Array.isArray(blocks) ? blocks : [])
    .map((b: { inserted?: { cache?: BlockCache } }) => (b.inserted?.cache ? blockCacheMode(b.inserted.cache) : undefined))
    .filter((m): m is string => m !== undefined);
  return modes.length > 0 ? { disk_cache: modes.join(',') } : {};
}
