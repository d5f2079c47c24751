import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.ts';
import { groupByMetric } from '../../src/report/groups.ts';
import { metricBars } from '../../src/report/normalise.ts';
import { backendScale } from '../../src/report/palette.ts';
import { metricBarsSpec } from '../../src/report/specs/metric-bars.ts';
import { reportInput, reportRun, runSamples } from './fixtures.ts';

// Specs are plain JSON: their structure is what the tests look at; vega-lite must compile each without error.
type Json = any;

const run = reportRun('20260101-000000-fixture-aaaa', '2026-01-01T00:00:00Z', runSamples('20260101-000000-fixture-aaaa'));

describe('spec builders', () => {
  const model = buildReport(reportInput([run]));
  const chart = (id: string): Json => model.charts.find((c) => c.id === id)?.spec;

  it('makes one chart per metric and the special charts, each compiling with vega-lite', () => {
    expect(model.charts.map((c) => c.id)).toEqual([
      'overview',
      'comparison-cpu',
      'comparison-boot',
      'comparison-micro',
      'comparison-disk',
      'metric-cpu.events_per_s',
      'metric-boot.to_ready_ms',
      'metric-micro.cpuid_ns',
      'metric-micro.syscall_ns',
      'metric-micro.rdtsc_ns',
      'metric-disk.seq_read_mib_s',
      'io-disk',
      'boot',
      'micro-costs',
    ]);
    const warnings: string[] = [];
    const logger: Json = {
      level: () => logger,
      error: (m: string) => warnings.push(m),
      warn: (m: string) => warnings.push(m),
      info: () => logger,
      debug: () => logger,
    };
    for (const c of model.charts) expect(() => compile(c.spec as Json, { logger }), c.id).not.toThrow();
    expect(warnings).toEqual([]);
  });

  it('grouped bars: normalised values, CI bars, raw points, colour and order per backend', () => {
    const spec = chart('metric-cpu.events_per_s');
    const rows: Json[] = spec.data.values;
    const bar = (variant: string, column: string) => rows.find((r) => r.kind === 'bar' && r.variant === variant && r.column === column);
    expect(bar('native', 'threads=1').value).toBeCloseTo(1, 5);
    expect(bar('tcg', 'threads=1').value).toBeGreaterThan(0.15);
    expect(bar('tcg', 'threads=1').value).toBeLessThan(0.25);
    for (const r of rows.filter((r) => r.kind === 'bar')) {
      expect(r.lo).toBeLessThan(r.value);
      expect(r.hi).toBeGreaterThan(r.value);
    }
    expect(rows.filter((r) => r.kind === 'point')).toHaveLength(4 * 2 * 5);
    const [bars, points, errorbars, rule] = spec.layer;
    expect(bars.mark.type).toBe('bar');
    expect(points.mark.type).toBe('circle');
    expect(errorbars.mark.type).toBe('errorbar');
    expect(errorbars.encoding.y.field).toBe('lo');
    expect(errorbars.encoding.y2.field).toBe('hi');
    expect(rule.encoding.y.datum).toBe(1);
    expect(bars.encoding.color.scale).toEqual(backendScale(['native', 'kvm', 'xen', 'tcg']));
    expect(bars.encoding.xOffset.sort).toEqual(['native', 'kvm', 'xen pvh', 'tcg']);
    expect(bars.encoding.opacity.scale.domain).toEqual(['pvh']);
    expect(bars.encoding.y.title).toBe('÷ native (ratio of means)');
    expect(spec.title.text).toBe('CPU: sysbench events per second (events/s)');
  });

  it('absolute bars carry the unit in the axis title', () => {
    const [m] = groupByMetric(run.samples.filter((s) => s.metric === 'boot.to_ready_ms'));
    const spec: Json = metricBarsSpec(metricBars(m!, undefined));
    expect(spec.layer[0].encoding.y.title).toBe('Boot: time to agent ready (ms)');
    expect(spec.layer).toHaveLength(3);
  });

  it('paravirtual vs emulated: a pair per backend that has both, one chart per metric', () => {
    const spec = chart('io-disk');
    expect(spec.concat).toHaveLength(1);
    const rows: Json[] = spec.concat[0].data.values;
    // native has no device, so no I/O class: it is not one of the pairs.
    expect(rows.map((r) => `${r.variant}:${r.device}`).sort()).toEqual([
      'kvm:emulated: ide',
      'kvm:paravirtual: virtio-blk',
      'tcg:emulated: ide',
      'tcg:paravirtual: virtio-blk',
      'xen pvh:paravirtual: xen-vbd',
    ]);
    expect(spec.concat[0].layer[0].encoding.y.title).toBe('disk.seq_read_mib_s (MiB/s)');
    // The bars of the overview's disk row pair every disk model with native's host file.
    const disk = model.overview!.rows.find((r) => r.workload === 'disk')!;
    expect(disk.referenceNote).toMatch(/native has no device: its host file is the reference/);
    expect(Object.keys(disk.cells).sort()).toEqual(['kvm', 'tcg', 'xen pvh']);
  });

  it('boot distributions: a box plot per backend and workload with the boots as points', () => {
    const spec = chart('boot');
    expect(spec.spec.layer[0].mark.type).toBe('boxplot');
    expect(spec.data.values).toHaveLength(4 * 5);
    expect(spec.spec.layer[0].encoding.x.title).toBe('boot to ready (ms)');
  });

  it('micro-costs on a log scale in ns per operation', () => {
    const spec = chart('micro-costs');
    expect(spec.layer[2].encoding.y.scale.type).toBe('log');
    expect(spec.layer[2].encoding.y.title).toMatch(/ns, log scale/);
    expect(new Set(spec.data.values.map((r: Json) => r.op))).toEqual(new Set(['cpuid', 'syscall', 'rdtsc']));
  });

  it('forest plot: ratios with intervals, regressions highlighted', () => {
    const base = reportRun('20260101-000000-fixture-base', '2026-01-01T00:00:00Z', runSamples('20260101-000000-fixture-base', { seed: 7 }));
    const slower = reportRun(
      '20260102-000000-fixture-new0',
      '2026-01-02T00:00:00Z',
      runSamples('20260102-000000-fixture-new0', { seed: 8, tcgCpuShift: 0.7, reps: 6 }),
    );
    const m = buildReport(reportInput([slower], { baseline: base }));
    const spec: Json = m.charts.find((c) => c.id === 'comparison-cpu')!.spec;
    const rows: Json[] = spec.data.values;
    const regressions = rows.filter((r) => r.verdict === 'regression').map((r) => r.series);
    expect(regressions.length).toBeGreaterThan(0);
    for (const r of regressions) expect(r).toMatch(/^CPU: sysbench events per second ↑ · tcg/);
    // Largest effect first; the noise band is drawn.
    const effects = rows.map((r) => Math.abs(Math.log(r.ratio)));
    expect(effects).toEqual([...effects].sort((a, b) => b - a));
    expect(spec.layer[0].mark.type).toBe('rect');
    expect(spec.layer[3].encoding.color.scale.range[0]).toBe('#D55E00');
    expect(spec.layer[3].encoding.x.scale.type).toBe('log');
    // Two runs: history lines too.
    const history: Json = m.charts.find((c) => c.id === 'history')!.spec;
    const cpu = history.concat.find((c: Json) => c.title.text === 'CPU: sysbench events per second (events/s)');
    expect(cpu.data.values.filter((r: Json) => r.flag === 'regression').length).toBeGreaterThan(0);
    expect(cpu.layer[0].encoding.y.title).toBe('CPU: sysbench events per second (events/s)');
    // The axis says when each run started and which revision measured it.
    expect(cpu.layer[0].encoding.x.sort[0]).toMatch(/^2026-01-01 00:00:00/);
  });
});
