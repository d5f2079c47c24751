import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.ts';
import type { ReportRun } from '../../src/report/input.ts';
import { explainedSpec } from '../../src/report/specs/explained.ts';
import { explainedLatex } from '../../src/report/tables/explained-latex.ts';
import { explainedMarkdown } from '../../src/report/tables/explained-markdown.ts';
import { loadRealRun, REPORT_OPTIONS } from '../support/real-runs.ts';
import { compileLatex, expectCleanLatexLog } from './validate-files.ts';

// The explained-overhead model on KVM's real exit counts: suites/explain.ts in the KVM lab
// (test/fixtures/runs/README.md, kvm-lab-explain). Nested under QEMU TCG, so the figures are
// functional, and the lab has no native: each step's events' time as a share of its time.

const options = REPORT_OPTIONS;
const run: ReportRun = await loadRealRun('kvm-lab-explain');
const model = buildReport({ runs: [run], ...options, generatedAt: '2026-12-06T00:00:00Z' });
const row = (label: string) => model.explained!.rows.find((r) => r.label === label)!;

describe("a real KVM run's exits at their unit costs", () => {
  it('reads back without a warning, and prices port exits through /dev/port where user-mode IN faults', () => {
    expect(run.warnings).toEqual([]);
    expect(run.samples.some((s) => s.metric === 'micro.ioport_ns')).toBe(false);
    const io = row('kvm · disk (ide) · randread').model!.terms.find((t) => t.counter === 'io_exits')!;
    expect(io.price).toBe('micro.devport_ns − micro.syscall_ns');
    const mean = (m: string) => {
      const xs = run.samples.filter((s) => s.metric === m).map((s) => s.value);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(io.costNs).toBeCloseTo(mean('micro.devport_ns') - mean('micro.syscall_ns'), 6);
  });

  it('models every measured step without a gap (no native in the lab), with an interval around each share', () => {
    const rows = model.explained!.rows;
    expect(model.explained!.reference).toBeUndefined();
    expect(rows.length).toBeGreaterThanOrEqual(9);
    for (const r of rows) {
      expect(r.notModelled, r.label).toBeUndefined();
      expect(r.noGap, r.label).toMatch(/no reference/);
      const m = r.model!;
      expect(m.gap).toBeUndefined();
      expect(m.explainedCi.lo).toBeLessThanOrEqual(m.explained);
      expect(m.explainedCi.hi).toBeGreaterThanOrEqual(m.explained);
    }
  });

  it('finds the emulated disk spending far more of its step in port exits than virtio-blk', () => {
    for (const step of ['seqread', 'seqwrite', 'randread', 'randwrite']) {
      const ide = row(`kvm · disk (ide) · ${step}`).model!;
      const virtio = row(`kvm · disk (virtio-blk) · ${step}`).model!;
      const port = (m: typeof ide) => m.terms.find((t) => t.counter === 'io_exits')?.explained ?? 0;
      expect(port(ide), step).toBeGreaterThan(5 * port(virtio));
      // Intervals apart: the emulated disk's events take more of its step.
      expect(ide.explainedCi.lo, step).toBeGreaterThan(virtio.explainedCi.hi);
    }
    // Per random read, IDE exits many times to virtio-blk's one or two.
    const perOp = (label: string) => row(label).counts.find((c) => c.counter === 'io_exits')!.perOp!;
    expect(perOp('kvm · disk (ide) · randread')).toBeGreaterThan(10);
    expect(perOp('kvm · disk (virtio-blk) · randread')).toBeLessThan(1);
  });

  it("finds e1000's transmit spending far more of its step in MMIO exits than virtio-net's", () => {
    const e1000 = row('kvm · net (e1000) · net-tx').model!;
    const virtio = row('kvm · net (virtio-net) · net-tx').model!;
    const mmio = (m: typeof e1000) => m.terms.find((t) => t.counter === 'mmio_exits')?.explained ?? 0;
    expect(mmio(e1000)).toBeGreaterThan(20 * mmio(virtio));
    expect(e1000.explainedCi.lo).toBeGreaterThan(virtio.explainedCi.hi);
  });

  it('draws the bars without a reference part, and says so in the tables', () => {
    const spec = explainedSpec(model.explained!)!;
    const parts = new Set((spec as unknown as { data: { values: { part: string }[] } }).data.values.map((d) => d.part));
    expect(parts.has('rest of the step')).toBe(true);
    expect([...parts].some((p) => p.endsWith("'s time"))).toBe(false);
    const md = explainedMarkdown(model.explained!);
    expect(md.split('\n')[0]).toBe('| case | throughput | explained | unexplained | top events | counts |');
    expect(md).toMatch(/\| kvm · disk \(ide\) · randread \| \d+ IOPS \| \d+ % of the step \[\d+, \d+ %\] \| – \| port I\/O exits/);
    expect(md).toContain('No reference (native) in the runs, so no gap');
    expect(model.charts.map((c) => c.id)).toContain('explained');
  });

  it('sets its LaTeX table on a one-column page without an overfull box', async () => {
    expectCleanLatexLog(await compileLatex(explainedLatex(model.explained!, 'Where the time goes'), 'onecolumn'), 'explained.tex of the KVM lab');
  }, 60_000);
});
