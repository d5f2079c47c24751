import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dumpedFiles, PERF_KVM_COUNTERS, parsePerfKvmReport, perfKvmCounts } from '../../../src/backends/qemu/perf-kvm-stat.ts';

const captured = (name: string) => readFileSync(new URL(`./fixtures/perf-kvm-stat/${name}.txt`, import.meta.url), 'utf8');

describe('perf kvm stat report, as perf 6.1 prints it in the KVM lab', () => {
  it('reads every exit reason with its samples, and the total', () => {
    const r = parsePerfKvmReport(captured('boot-vmexit'));
    expect(r.total).toBe(31111);
    expect(r.rows).toMatchObject({ io: 22641, interrupt: 2885, msr: 2303, cpuid: 1726, npf: 856, vintr: 516, hlt: 17, 'UD excp': 1 });
    expect(Object.keys(r.rows)).toHaveLength(15);
    expect(Object.values(r.rows).reduce((a, b) => a + b, 0)).toBe(r.total);
  });

  it('reads the port and MMIO tables, and an empty one', () => {
    const io = parsePerfKvmReport(captured('ide-fio-ioport'));
    expect(io.total).toBe(31838);
    expect(io.rows).toMatchObject({ '0x1f7:PIN': 4100, '0xc000:POUT': 3074 });
    const mmio = parsePerfKvmReport(captured('boot-mmio'));
    expect(mmio.rows['0xfec00000:W']).toBe(342);
    expect(parsePerfKvmReport(captured('ide-fio-mmio'))).toEqual({ rows: {}, total: 0 });
  });

  it('maps an IDE segment to the counters debugfs also has, every one present', () => {
    const counts = perfKvmCounts(parsePerfKvmReport(captured('ide-fio-vmexit')), parsePerfKvmReport(captured('ide-fio-mmio')));
    expect(Object.keys(counts).sort()).toEqual([...PERF_KVM_COUNTERS].sort());
    expect(counts).toEqual({
      exits: 38089,
      io_exits: 31838,
      mmio_exits: 0,
      halt_exits: 114,
      irq_exits: 1220,
      irq_window_exits: 2276,
      msr_exits: 2608,
      cpuid_exits: 33,
      npf_exits: 0,
    });
    // The io reason's count is the ioport table's total: the same exits seen two ways.
    expect(counts.io_exits).toBe(parsePerfKvmReport(captured('ide-fio-ioport')).total);
  });

  it('refuses what is not a report, with what perf said', () => {
    expect(() => parsePerfKvmReport('failed to open /tmp/x: No such file or directory\n')).toThrow(/no "Total Samples" line: failed to open \/tmp\/x/);
    expect(() => parsePerfKvmReport('')).toThrow(/no "Total Samples" line$/);
  });

  it("finds the segments perf record's --switch-output wrote", () => {
    const stderr =
      '[ perf record: dump data: Woken up 1 times ]\n[ perf record: Dump /tmp/a/perf.data.2026120619403942 ]\n[ perf record: dump data: Woken up 3 times ]\n[ perf record: Dump /tmp/a/perf.data.2026120619405212 ]\n';
    expect(dumpedFiles(stderr)).toEqual(['/tmp/a/perf.data.2026120619403942', '/tmp/a/perf.data.2026120619405212']);
    expect(dumpedFiles('')).toEqual([]);
  });
});
