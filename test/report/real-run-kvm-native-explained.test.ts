import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.ts';
import type { ReportRun } from '../../src/report/input.ts';
import { explainedSpec } from '../../src/report/specs/explained.ts';
import { explainedMarkdown } from '../../src/report/tables/explained-markdown.ts';
import { loadRealRun, REPORT_OPTIONS } from '../support/real-runs.ts';

// The explained-overhead model against native on the VMs' own host: suites/explain.ts in the
// KVM lab with native run on the lab host too (test/fixtures/runs/README.md,
// kvm-lab-explain-native). Nested under QEMU TCG, so the figures are functional; but the gap
// is between two runs on one host, and the model sets KVM's exits against it.

const options = REPORT_OPTIONS;
const run: ReportRun = await loadRealRun('kvm-lab-explain-native');
const model = buildReport({ runs: [run], ...options, generatedAt: '2026-12-07T00:00:00Z' });
const explained = model.explained!;
const row = (label: string) => explained.rows.find((r) => r.label === label)!;
const STEPS = ['seqread', 'seqwrite', 'randread', 'randwrite'];

describe("KVM's gap to native on the lab host, explained by its exits", () => {
  it('reads back without a warning: native and kvm both ran on lab-kvm, native as the reference', () => {
    expect(run.warnings).toEqual([]);
    for (const s of run.samples) expect(s.dims, s.metric).toMatchObject({ host: 'lab-kvm', host_kind: 'lab' });
    expect(new Set(run.samples.map((s) => s.dims.backend))).toEqual(new Set(['native', 'kvm']));
    expect(explained.reference).toBe('native');
  });

  it('gives every disk step a gap to native and the share of it the exits explain, with an interval around it', () => {
    for (const disk of ['ide', 'virtio-blk'])
      for (const step of STEPS) {
        const m = row(`kvm · disk (${disk}) · ${step}`).model!;
        expect(m.gap, `${disk} ${step}`).toBeGreaterThan(0);
        expect(m.share, `${disk} ${step}`).toBeGreaterThan(0);
        expect(m.shareCi!.lo).toBeLessThanOrEqual(m.share!);
        expect(m.shareCi!.hi).toBeGreaterThanOrEqual(m.share!);
        expect(m.unexplained).toBeCloseTo(m.gap! - m.explained, 12);
      }
  });

  it('explains more of the emulated disk’s gap than of virtio-blk’s, by its port exits', () => {
    for (const step of STEPS) {
      const ide = row(`kvm · disk (ide) · ${step}`).model!;
      const virtio = row(`kvm · disk (virtio-blk) · ${step}`).model!;
      expect(ide.share!, step).toBeGreaterThan(virtio.share!);
      const port = (m: typeof ide) => m.terms.find((t) => t.counter === 'io_exits')?.explained ?? 0;
      expect(port(ide), step).toBeGreaterThan(10 * port(virtio));
    }
    // The random steps' intervals stand apart.
    for (const step of ['randread', 'randwrite'])
      expect(row(`kvm · disk (ide) · ${step}`).model!.shareCi!.lo).toBeGreaterThan(row(`kvm · disk (virtio-blk) · ${step}`).model!.shareCi!.hi);
  });

  it("gives the net steps, which native cannot run (no NIC), the events' share of the step and no gap", () => {
    for (const nic of ['e1000', 'virtio-net'])
      for (const step of ['net-tx', 'net-rx', 'net-rr']) {
        const r = row(`kvm · net (${nic}) · ${step}`);
        expect(r.model!.gap, `${nic} ${step}`).toBeUndefined();
        expect(r.noGap, `${nic} ${step}`).toBeDefined();
      }
    const mmio = (nic: string) => row(`kvm · net (${nic}) · net-tx`).model!.terms.find((t) => t.counter === 'mmio_exits')?.explained ?? 0;
    expect(mmio('e1000')).toBeGreaterThan(20 * mmio('virtio-net'));
  });

  it("draws native's time, the unexplained gap and a step without a gap as three parts, and tables them", () => {
    const spec = explainedSpec(explained)! as unknown as {
      data: { values: { part: string }[] };
      layer: { encoding: { color?: { scale: { domain: string[]; range: string[] } } } }[];
    };
    const parts = new Set(spec.data.values.map((d) => d.part));
    for (const p of ["native's time", 'unexplained', 'rest of the step', 'port I/O exits', 'MMIO exits']) expect(parts.has(p), p).toBe(true);
    const { domain, range } = spec.layer[0]!.encoding.color!.scale;
    const colour = (p: string) => range[domain.indexOf(p)];
    expect(new Set([colour("native's time"), colour('unexplained'), colour('rest of the step')]).size).toBe(3);
    const md = explainedMarkdown(explained);
    expect(md).toMatch(/\| kvm · disk \(ide\) · randread \| \d+ % \([\d.]+ vs [\d.]+ IOPS\) \| \d+ % of the gap \[\d+, \d+ %\] \| \d+ % \| port I\/O exits/);
    expect(md).toMatch(/\| kvm · net \(e1000\) · net-tx \| no native case \([\d.]+ Gbit\/s\) \| \d+ % of the step \[\d+, \d+ %\] \| – \| MMIO exits/);
  });
});
