import type { EventCounts } from '../common/backend.ts';
import type { QmpClient } from './qmp.ts';

/** How long QEMU may take to answer `x-query-jit` while the guest runs under TCG. */
const JIT_QUERY_TIMEOUT_MS = 5_000;

/**
 * TCG's own statistics, the lines of `x-query-jit` (HMP `info jit`) that only grow: blocks
 * translated again because their guest code changed (`tb_invalidations`), translation buffer
 * flushes, and flushes of the soft TLB — the work TCG does beyond running translated code.
 * `tb_count` is the buffer's block count: between flushes its growth is the blocks
 * translated. The source is QEMU's text for people; a line it no longer prints is left out.
 */
const LINES: readonly [RegExp, string][] = [
  [/^TB count\s+(\d+)$/m, 'tb_count'],
  [/^TB flush count\s+(\d+)$/m, 'tb_flushes'],
  [/^TB invalidate count\s+(\d+)$/m, 'tb_invalidations'],
  [/^TLB full flushes\s+(\d+)$/m, 'tlb_full_flushes'],
  [/^TLB partial flushes\s+(\d+)$/m, 'tlb_partial_flushes'],
  [/^TLB elided flushes\s+(\d+)$/m, 'tlb_elided_flushes'],
];

export const JIT_SOURCE = 'qemu-jit';

/** The counters in the text of `x-query-jit`; empty when it has none of them. */
export function parseJitStats(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [line, name] of LINES) {
    const m = line.exec(text);
    if (m) counts[name] = Number(m[1]);
  }
  return counts;
}

/** Reads TCG's statistics over QMP; throws when QEMU does not answer or says none. */
export async function readJitStats(qmp: QmpClient): Promise<EventCounts> {
  const answer = await qmp.execute<{ 'human-readable-text'?: unknown }>('x-query-jit', undefined, { timeoutMs: JIT_QUERY_TIMEOUT_MS });
  const text = typeof answer?.['human-readable-text'] === 'string' ? answer['human-readable-text'] : '';
  const counts = parseJitStats(text);
  if (Object.keys(counts).length === 0) throw new Error(`x-query-jit gave no statistics: ${JSON.stringify(text.slice(0, 120))}`);
  return { source: JIT_SOURCE, counts };
}
