import type { Host } from '../../hosts/host.ts';
import { HvbError } from '../../util/errors.ts';
import type { EventCounts } from '../common/backend.ts';

/** Where KVM keeps its statistics in debugfs: one folder per VM, `<QEMU pid>-<VM fd>`. */
export const KVM_DEBUGFS = '/sys/kernel/debug/kvm';
export const KVM_DEBUGFS_SOURCE = 'kvm-debugfs';

/**
 * The counters kept, of the sixty or so KVM's debugfs shows per VM: the exits by reason and the
 * events that cost the guest time (emulated instructions, injected interrupts, page faults
 * KVM handled, TLB flushes, wake-ups from halt). Left out: gauges (pages_4k, max_mmu_*,
 * guest_mode), nanosecond sums and histograms, and counters of features a run never uses.
 */
export const KVM_COUNTERS = [
  'exits',
  'io_exits',
  'mmio_exits',
  'halt_exits',
  'irq_exits',
  'irq_window_exits',
  'nmi_window_exits',
  'request_irq_exits',
  'signal_exits',
  'insn_emulation',
  'irq_injections',
  'hypercalls',
  'pf_taken',
  'tlb_flush',
  'halt_wakeup',
] as const;
const KEPT: ReadonlySet<string> = new Set(KVM_COUNTERS);

/**
 * The counters of the VM that the QEMU process `pid` made, from `grep -r -H '' <KVM_DEBUGFS>`
 * output (`<path>:<value>` per file). The VM folder's own files hold the VM's statistics and
 * the sums of its vCPUs' (KVM_COUNTERS of them are kept); the vCPU subfolders and the
 * machine-wide files at the top are left out. Undefined when the output
 * has no folder of that pid.
 */
export function parseKvmDebugfs(text: string, pid: number): Record<string, number> | undefined {
  const line = new RegExp(`^${KVM_DEBUGFS}/${pid}-\\d+/([a-z0-9_]+):(\\d+)$`);
  let found = false;
  const counts: Record<string, number> = {};
  for (const l of text.split('\n')) {
    const m = line.exec(l);
    if (!m) continue;
    found = true;
    if (KEPT.has(m[1] as string)) counts[m[1] as string] = Number(m[2]);
  }
  return found ? counts : undefined;
}

/** Reads the VM's KVM counters on its host (local, remote or a lab) in one command. */
export async function readKvmDebugfs(host: Host, pid: number): Promise<EventCounts> {
  // -s: files a reader may not open (some are write-only) are skipped quietly; grep then exits 2.
  const r = await host.exec(['grep', '-r', '-s', '-H', '', KVM_DEBUGFS], { timeoutMs: 10_000 });
  const counts = parseKvmDebugfs(r.stdout, pid);
  if (counts !== undefined) return { source: KVM_DEBUGFS_SOURCE, counts };
  const where =
    r.stdout.trim() === ''
      ? `${KVM_DEBUGFS} is missing or empty on ${host.name}: debugfs is not mounted (mount -t debugfs debugfs /sys/kernel/debug, as root)`
      : `${KVM_DEBUGFS} on ${host.name} has no folder of QEMU pid ${pid}`;
  throw new HvbError('kvm-stats', `no KVM statistics: ${where}`);
}
