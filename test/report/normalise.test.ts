import { describe, expect, it } from 'vitest';
import { groupByMetric } from '../../src/report/groups.ts';
import { metricBars } from '../../src/report/normalise.ts';
import type { Sample } from '../../src/results/sample.ts';
import { ratioCiLogT } from '../../src/stats/ci.ts';

const s = (backend: string, value: number, dims: Sample['dims'] = {}): Sample => ({
  metric: 'cpu.events_per_s',
  value,
  unit: 'events/s',
  better: 'higher',
  dims: { backend, workload: 'cpu', ...dims },
  ts: '',
});

describe('metricBars', () => {
  const samples = [s('native', 100), s('native', 110), s('native', 90), s('tcg', 20), s('tcg', 22), s('tcg', 18)];

  it('normalises to the reference mean, with the log-t ratio interval and every point divided by it', () => {
    const [m] = groupByMetric(samples);
    const bars = metricBars(m!, 'native');
    expect(bars.reference).toBe('native');
    const [native, tcg] = bars.bars;
    expect(native!.value).toBeCloseTo(1, 12);
    // The reference's own bar: the interval of its mean divided by its mean.
    expect(native!.lo).toBeCloseTo(native!.summary.ci95!.lo / 100, 12);
    expect(native!.hi).toBeCloseTo(native!.summary.ci95!.hi / 100, 12);
    expect(native!.lo!).toBeGreaterThan(0);
    expect(native!.lo!).toBeLessThan(1);
    expect(tcg!.value).toBeCloseTo(0.2, 12);
    const ci = ratioCiLogT([100, 110, 90], [20, 22, 18]);
    expect([tcg!.lo, tcg!.hi]).toEqual([ci?.lo, ci?.hi]);
    expect(tcg!.lo!).toBeLessThan(0.2);
    expect(tcg!.hi!).toBeGreaterThan(0.2);
    expect(tcg!.points).toEqual([0.2, 0.22, 0.18]);
    expect(tcg!.summary.mean).toBeCloseTo(20, 12);
  });

  it('shows values in their unit when no reference is asked for', () => {
    const bars = metricBars(groupByMetric(samples)[0]!, undefined);
    expect(bars.reference).toBeUndefined();
    expect(bars.bars.map((b) => b.value)).toEqual([expect.closeTo(100, 12), expect.closeTo(20, 12)]);
    expect(bars.bars[1]!.points).toEqual([20, 22, 18]);
  });

  it('normalises per configuration: a configuration without the reference keeps its unit, and the note names it', () => {
    const bars = metricBars(groupByMetric([...samples, s('tcg', 40, { 'param.threads': 2 }), s('tcg', 41, { 'param.threads': 2 })])[0]!, 'native');
    expect(bars.reference).toBe('native');
    expect(bars.note).toMatch(/partly not normalised \(those values are in the summary table, in their unit\): threads=2 \(no native series\)/);
    expect(bars.bars.map((b) => [b.normalised, Number(b.value.toFixed(6))])).toEqual([
      [true, 1],
      [true, 0.2],
      [false, 40.5],
    ]);
    expect(metricBars(groupByMetric([s('tcg', 40), s('tcg', 41)])[0]!, 'native').note).toBe('not normalised: cpu (no native series)');
  });

  it('leaves a single value without an interval', () => {
    const bars = metricBars(groupByMetric([s('native', 100), s('native', 100), s('tcg', 30)])[0]!, 'native');
    expect(bars.bars[1]!.value).toBeCloseTo(0.3, 12);
    expect(bars.bars[1]!.lo).toBeUndefined();
  });
});

describe('groupByMetric', () => {
  it('puts backends side by side in one configuration; Xen guest types are variants', () => {
    const [m] = groupByMetric([
      s('native', 1, { 'param.threads': 1 }),
      s('xen', 2, { 'param.threads': 1, guest_type: 'pvh' }),
      s('xen', 3, { 'param.threads': 1, guest_type: 'hvm' }),
      s('tcg', 4, { 'param.threads': 2 }),
    ]);
    expect(m!.groups.map((g) => [g.variant, g.column])).toEqual([
      ['native', 'threads=1'],
      ['xen pvh', 'threads=1'],
      ['xen hvm', 'threads=1'],
      ['tcg', 'threads=2'],
    ]);
  });

  it('native, without a device (io none, its disk a host file), stands in every device column as the reference of each model', () => {
    // The dimensions real runs record: native's case keeps param.io, its io is `none`.
    const d = (backend: string, model: string, io = 'paravirtual') => ({
      ...s(backend, 1, { 'param.io': backend === 'native' ? 'paravirtual' : io, io: backend === 'native' ? 'none' : io, disk_model: model, workload: 'disk' }),
      metric: 'disk.seq_read_mib_s',
    });
    const [m] = groupByMetric([d('native', 'host-file'), d('tcg', 'virtio-blk'), d('tcg', 'ide', 'emulated'), d('xen', 'xen-vbd')]);
    expect(m!.groups.map((g) => [g.variant, g.column, g.device, g.deviceless])).toEqual([
      ['native', 'io=paravirtual', 'host file', true],
      ['native', 'io=emulated', 'host file', true],
      ['tcg', 'io=paravirtual', 'virtio-blk', false],
      ['tcg', 'io=emulated', 'ide', false],
      ['xen', 'io=paravirtual', 'xen-vbd', false],
    ]);
    const bars = metricBars(m!, 'native');
    expect(bars.note).toBeUndefined();
    expect(bars.bars.every((b) => b.normalised)).toBe(true);
    const [kept] = groupByMetric([d('tcg', 'virtio-blk'), d('tcg', 'virtio-scsi')]);
    expect(kept!.groups.map((g) => g.column)).toEqual(['virtio-blk', 'virtio-scsi']);
  });

  it('a fact that differs between repetitions (the clocksource) is a note, not a second column', () => {
    const [m] = groupByMetric([
      s('tcg', 1, { guest_clocksource: 'tsc-early', guest_hypervisor: 'none' }),
      s('tcg', 2, { guest_clocksource: 'tsc', guest_hypervisor: 'none' }),
      s('native', 3, { guest_hypervisor: 'KVM' }),
    ]);
    expect(m!.columns).toHaveLength(1);
    expect(m!.groups.map((g) => [g.variant, g.values, g.notes])).toEqual([
      ['tcg', [1, 2], ['guest clocksource: tsc-early, tsc']],
      ['native', [3], []],
    ]);
  });
});
