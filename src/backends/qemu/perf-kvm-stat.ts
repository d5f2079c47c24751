import { HvbError } from '../../util/errors.ts';
import { firstLine } from '../../util/first-line.ts';

/** The event source of counts from `perf kvm stat record/report` (the dimension `event_source`). */
export const PERF_KVM_STAT_SOURCE = 'perf-kvm-stat';

/** One table of `perf kvm stat report --event=<vmexit|ioport|mmio>`: samples per key, and the total line. */
export interface PerfKvmReport {
  /** The key column (`io`, `msr`, `0x1f7:PIN`, `0xfec00000:W`) → its samples. */
  rows: Record<string, number>;
  /** `Total Samples:N`. */
  total: number;
}

// `  <key>  <samples>  <samples%>  <time%>  <min>us  <max>us  <avg>us ( +-  <x>% )`; the key may hold spaces (`UD excp`).
const ROW = /^\s*(\S(?:.*\S)?)\s+(\d+)\s+[\d.]+%\s+[\d.]+%\s+[\d.]+us\s+[\d.]+us\s+[\d.]+us\s+\(\s*\+-\s*[\d.]+%\s*\)\s*$/;
const TOTAL = /^Total Samples:(\d+),/m;

/**
 * Parses the text `perf kvm stat report` prints (perf 6.1). A report without its
 * `Total Samples` line is not a report (perf said something else: no such file, no KVM
 * events in it): that is an error with perf's first words.
 */
export function parsePerfKvmReport(text: string): PerfKvmReport {
  const total = TOTAL.exec(text);
  if (!total) {
    const said = firstLine(text);
    throw new HvbError('perf-kvm-stat', `perf kvm stat report printed no "Total Samples" line${said === '' ? '' : `: ${said.slice(0, 200)}`}`);
  }
  const rows: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = ROW.exec(line);
    if (m) rows[m[1] as string] = (rows[m[1] as string] ?? 0) + Number(m[2]);
  }
  return { rows, total: Number(total[1]) };
}

/**
 * Exit reasons as perf names them, AMD SVM (`svm_exit_reasons`) and Intel VMX
 * (`VMX_EXIT_REASONS`), for the counters that KVM's debugfs also has: `io_exits`,
 * `halt_exits`, `irq_exits` and `irq_window_exits` mean the same exits under both sources.
 * The VMX names follow the kernel's table; only SVM's were seen in a real report here.
 */
const REASONS: Readonly<Record<string, readonly string[]>> = {
  io_exits: ['io', 'IO_INSTRUCTION'],
  halt_exits: ['hlt', 'HLT'],
  irq_exits: ['interrupt', 'EXTERNAL_INTERRUPT'],
  irq_window_exits: ['vintr', 'INTERRUPT_WINDOW', 'PENDING_INTERRUPT'],
  msr_exits: ['msr', 'MSR_READ', 'MSR_WRITE'],
  cpuid_exits: ['cpuid', 'CPUID'],
  npf_exits: ['npf', 'EPT_VIOLATION', 'EPT_MISCONFIG'],
};

/** The counters a perf source gives, every one in every reading (0 when a reason did not occur). */
export const PERF_KVM_COUNTERS = ['exits', 'mmio_exits', ...Object.keys(REASONS)] as const;

/**
 * The counters of one recording, from its `--event=vmexit` and `--event=mmio` reports:
 * `exits` is every VM exit; `mmio_exits` every MMIO access KVM emulated (whether the kernel
 * or QEMU served it; debugfs's `mmio_exits` counts only those passed to QEMU), the rest by
 * exit reason (REASONS). docs/overhead.md says how they differ from debugfs's.
 */
export function perfKvmCounts(vmexit: PerfKvmReport, mmio: PerfKvmReport): Record<string, number> {
  const counts: Record<string, number> = { exits: vmexit.total, mmio_exits: mmio.total };
  for (const [counter, names] of Object.entries(REASONS)) {
    counts[counter] = names.reduce((sum, name) => sum + (vmexit.rows[name] ?? 0), 0);
  }
  return counts;
}

/** `[ perf record: Dump /tmp/x/perf.data.2026120619403942 ]`: the file a SIGUSR2 wrote (`--switch-output`). */
export function dumpedFiles(stderr: string): string[] {
  return [...stderr.matchAll(/^\[ perf record: Dump (\S+) \]$/gm)].map((m) => m[1] as string);
}
