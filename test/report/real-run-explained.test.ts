import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.ts';
import type { ReportRun } from '../../src/report/input.ts';
import { explainedMarkdown } from '../../src/report/tables/explained-markdown.ts';
import type { Sample } from '../../src/results/sample.ts';
import { renderCompare } from '../../src/stats/compare-text.ts';
import { compareRuns } from '../../src/stats/compare-report.ts';
import { loadRealRun, REPORT_OPTIONS } from '../support/real-runs.ts';

// The explained-overhead section and compare's event changes on a real counted run:
// suites/explain.ts on native and TCG (test/fixtures/runs/README.md, explain-native-tcg).

const options = REPORT_OPTIONS;
const run: ReportRun = await loadRealRun('explain-native-tcg');
const value = (metric: string, where: (s: Sample) => boolean) => run.samples.filter((s) => s.metric === metric && where(s));

describe('a real counted run: each step carries its throughput', () => {
  it('reads back without a warning: every metric name and value passes the result checks', () => {
    expect(run.warnings).toEqual([]);
    expect(run.samples.filter((s) => s.metric.endsWith('_per_op')).every((s) => s.unit === 'events/op' && s.better === 'lower')).toBe(true);
  });

  it('writes work_per_s as the workload figure of the same repetition, and each count per operation as its rate over it', () => {
    const pairs: [string, string][] = [
      ['cpu', 'cpu.events_per_s'],
      ['randread', 'disk.rand_read_iops'],
      ['seqwrite', 'disk.seq_write_mib_s'],
      ['net-tx', 'net.tx_gbit_s'],
    ];
    for (const [step, metric] of pairs) {
      const work = value(`events.${step}.work_per_s`, () => true);
      expect(work.length, step).toBeGreaterThanOrEqual(3);
      for (const w of work) {
        const same = value(metric, (s) => s.dims.case === w.dims.case && s.dims.rep === w.dims.rep);
        expect(
          same.map((s) => s.value),
          `${w.dims.case} rep ${w.dims.rep}`,
        ).toEqual([w.value]);
        expect(w.unit).toBe(same[0]!.unit);
      }
    }
    for (const op of value('events.randread.tb_count_per_op', () => true)) {
      const of = (m: string) => value(m, (s) => s.dims.case === op.dims.case && s.dims.rep === op.dims.rep)[0]!.value;
      expect(op.value).toBeCloseTo(of('events.randread.tb_count_per_s') / of('events.randread.work_per_s'), 9);
    }
    // A ping-pong's round trips per second from its mean round trip; a volume has no count per operation.
    for (const w of value('events.net-rr.work_per_s', () => true)) {
      expect(w.unit).toBe('ops/s');
      expect(w.value).toBeCloseTo(1e6 / value('net.rr_latency_avg_us', (s) => s.dims.case === w.dims.case && s.dims.rep === w.dims.rep)[0]!.value, 6);
    }
    expect(value('events.seqread.tb_count_per_op', () => true)).toEqual([]);
  });

  it("counts native's page faults and context switches, source proc-rusage: fio's random reads wait for their I/O now and then", () => {
    const native = (metric: string) => value(metric, (s) => s.dims.backend === 'native');
    expect(new Set(run.samples.filter((s) => s.dims.backend === 'native').map((s) => s.dims.event_source))).toEqual(new Set(['proc-rusage']));
    const voluntary = native('events.randread.voluntary_switches_per_op');
    expect(voluntary).toHaveLength(3);
    // With 16 requests in flight, fio blocks for a fraction of its reads (0.004 per read in this capture).
    for (const v of voluntary) expect(v.value).toBeGreaterThan(0);
    for (const sum of native('events.randread.context_switches_per_s')) {
      const of = (m: string) => value(m, (s) => s.dims.case === sum.dims.case && s.dims.rep === sum.dims.rep)[0]!.value;
      expect(sum.value).toBeCloseTo(of('events.randread.voluntary_switches_per_s') + of('events.randread.involuntary_switches_per_s'), 9);
    }
  });
});

describe('a real counted run: where the time goes', () => {
  const model = buildReport({ runs: [run], ...options, generatedAt: '2026-12-06T00:00:00Z' });
  const rows = model.explained!.rows.filter((r) => r.variant === 'tcg');

  it('lists every measured TCG step, not modelled with the reason, against native where native ran the step', () => {
    // cpu; disk's four jobs on IDE and virtio-blk; net's three steps on e1000 and virtio-net.
    expect(rows.map((r) => r.label)).toHaveLength(15);
    expect(rows.every((r) => r.model === undefined && /TCG's cost is translation/.test(r.notModelled ?? ''))).toBe(true);
    const cpu = rows.find((r) => r.label === 'tcg · cpu')!;
    expect(cpu.work!.reference).toBeGreaterThan(cpu.work!.b);
    // native has no NIC: the net steps have no reference.
    expect(rows.filter((r) => r.workload === 'net').every((r) => r.work!.reference === undefined)).toBe(true);
    // Not modelled: no bar to draw, so no figure; the table is there.
    expect(model.charts.map((c) => c.id)).not.toContain('explained');
    expect(model.charts.filter((c) => c.id.startsWith('metric-events.'))).toEqual([]);
    expect(explainedMarkdown(model.explained!)).toContain('| tcg · disk (ide) · randread |');
    // Native runs no net case: the gap column says so rather than showing a bare throughput.
    expect(explainedMarkdown(model.explained!)).toMatch(/\| tcg · net \(e1000\) · net-tx \| no native case \([\d.]+ Gbit\/s\) \|/);
  });

  it("shows native's own counts as the baseline: its rows first, marked the reference, with its page faults and context switches", () => {
    const md = explainedMarkdown(model.explained!);
    const lines = md.split('\n').filter((l) => /^\| (native|tcg) · /.test(l));
    expect(lines[0]).toMatch(
      /^\| native · cpu \| the reference \([\d.]+ events\/s\) \| – \| – \| – \| .*context_switches [\d.e-]+.* per op \(proc-rusage\) \|$/,
    );
    expect(lines.findIndex((l) => l.startsWith('| tcg'))).toBe(lines.filter((l) => l.startsWith('| native')).length);
    expect(md).toMatch(/\| native · disk \(host-file\) · randread \| the reference \([\d.]+ IOPS\) \|/);
    // The reference's rows need no footnote: the only one says why TCG is not modelled.
    expect(md.match(/^- .* not modelled: /gm)).toHaveLength(1);
  });

  it("shows in TCG's own terms what the emulated disk costs: more blocks translated per random read on IDE than on virtio-blk", () => {
    const perOp = (device: string) => rows.find((r) => r.label === `tcg · disk (${device}) · randread`)!.counts.find((c) => c.counter === 'tb_count')!.perOp!;
    expect(perOp('ide')).toBeGreaterThan(perOp('virtio-blk'));
  });
});

describe('a real counted run: compare lists the event counts that changed', () => {
  it('says nothing against itself, and names a count per operation that moved beyond its interval', () => {
    const a = { id: run.record.id, samples: run.samples };
    const same = compareRuns(a, { id: 'again', samples: run.samples.map((s) => ({ ...s, dims: { ...s.dims, run: 'again' } })) }, options);
    expect(same.eventChanges).toBeUndefined();
    // B: the IDE disk's random reads translate three times the blocks per I/O (at n = 3 these counts scatter by ±20 %).
    const b = run.samples.map((s) => {
      const moved = s.dims.backend === 'tcg' && s.dims.disk_model === 'ide' && s.metric === 'events.randread.tb_count_per_op';
      return { ...s, value: moved ? s.value * 3 : s.value, dims: { ...s.dims, run: 'b' } };
    });
    const report = compareRuns(a, { id: 'b', samples: b }, options);
    expect(report.eventChanges?.map((c) => [c.step, c.counter, c.per])).toEqual([['randread', 'tb_count', 'op']]);
    expect(report.eventChanges![0]!.change).toBeCloseTo(2, 9);
    const line = /\n {2}tcg\/disk .*ide randread: tb_count per op \+200\.0 % \(([\d.]+) → ([\d.]+)\)/.exec(renderCompare(report));
    expect(line).not.toBeNull();
    expect(Number(line![2]) / Number(line![1])).toBeCloseTo(3, 1);
  });
});
