import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.ts';
import type { ReportRun } from '../../src/report/input.ts';
import { renderCompare } from '../../src/stats/compare-text.ts';
import { compareRuns } from '../../src/stats/compare-report.ts';
import { loadRealRun, REPORT_OPTIONS } from '../support/real-runs.ts';

// suites/explain.ts in the KVM lab twice: once counted from debugfs (kvm-lab-explain), once
// with `--count-events perf-kvm-stat` (kvm-lab-explain-perf; test/fixtures/runs/README.md).
// Nested under QEMU TCG: functional figures, no native in the lab.

const options = REPORT_OPTIONS;
const perf: ReportRun = await loadRealRun('kvm-lab-explain-perf');
const debugfs: ReportRun = await loadRealRun('kvm-lab-explain');
const model = buildReport({ runs: [perf], ...options, generatedAt: '2026-12-06T00:00:00Z' });
const row = (label: string) => model.explained!.rows.find((r) => r.label === label)!;
const meanOf = (run: ReportRun, metric: string, dims: Record<string, string>) => {
  const xs = run.samples.filter((s) => s.metric === metric && Object.entries(dims).every(([k, v]) => s.dims[k] === v)).map((s) => s.value);
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
};

describe('KVM exits counted by perf kvm stat, on a real lab run', () => {
  it('reads back without a warning, every counted sample from perf', () => {
    expect(perf.warnings).toEqual([]);
    const counted = perf.samples.filter((s) => s.metric.startsWith('events.'));
    expect(counted.length).toBeGreaterThan(100);
    expect(new Set(counted.map((s) => s.dims.event_source))).toEqual(new Set(['perf-kvm-stat']));
  });

  it('finds, as debugfs does, the emulated disk exiting for port I/O many times per random I/O and virtio-blk hardly ever', () => {
    for (const step of ['randread', 'randwrite']) {
      const ide = meanOf(perf, `events.${step}.io_exits_per_op`, { disk_model: 'ide' });
      const virtio = meanOf(perf, `events.${step}.io_exits_per_op`, { disk_model: 'virtio-blk' });
      const byDebugfs = meanOf(debugfs, `events.${step}.io_exits_per_op`, { disk_model: 'ide' });
      expect(ide, step).toBeGreaterThan(10);
      expect(virtio, step).toBeLessThan(1);
      // Same order as debugfs's, not the same figure: perf's cost per exit slows the guest, and
      // the 2 s fio steps' windows hold more of fio's start-up (docs/overhead.md).
      expect(ide / byDebugfs, `${step}: perf ${ide}, debugfs ${byDebugfs}`).toBeGreaterThan(0.5);
      expect(ide / byDebugfs, `${step}: perf ${ide}, debugfs ${byDebugfs}`).toBeLessThan(1.5);
    }
  });

  it("sees virtio-blk's notifications as MMIO accesses, which debugfs (QEMU's exits only) does not count", () => {
    const byPerf = meanOf(perf, 'events.randread.mmio_exits_per_op', { disk_model: 'virtio-blk' });
    const byDebugfs = meanOf(debugfs, 'events.randread.mmio_exits_per_op', { disk_model: 'virtio-blk' });
    expect(byPerf).toBeGreaterThan(0.3);
    expect(byDebugfs).toBeLessThan(0.1 * byPerf);
  });

  it('prices the counts as it prices debugfs’s: the emulated disk spends far more of its step in port exits than virtio-blk', () => {
    for (const step of ['randread', 'randwrite']) {
      const ide = row(`kvm · disk (ide) · ${step}`).model!;
      const virtio = row(`kvm · disk (virtio-blk) · ${step}`).model!;
      const port = (m: typeof ide) => m.terms.find((t) => t.counter === 'io_exits')?.explained ?? 0;
      expect(port(ide), step).toBeGreaterThan(5 * port(virtio));
    }
  });

  it('compare does not set the two sources’ counts against each other, and says why', () => {
    const report = compareRuns({ id: debugfs.record.id, samples: debugfs.samples }, { id: perf.record.id, samples: perf.samples }, options);
    expect(report.eventChanges).toBeUndefined();
    expect(report.eventChangesSkipped).toBe(
      'not listed: A counted with kvm-debugfs, B with perf-kvm-stat, whose counters differ in meaning (docs/overhead.md)',
    );
    expect(renderCompare(report)).toContain('the likely causes: not listed: A counted with kvm-debugfs, B with perf-kvm-stat');
    // Two runs counted alike do get their changes listed (the same run against itself: none changed).
    expect(compareRuns({ id: 'a', samples: perf.samples }, { id: 'b', samples: perf.samples }, options).eventChangesSkipped).toBeUndefined();
  });
});
