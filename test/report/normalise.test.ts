import { describe, expect, it } from 'vitest';
import { groupByMetric } from '../../src/report/groups.ts';
import { metricBars } from '../../src/report/normalise.ts';
import type { Sample } from '../../src/results/sample.ts';
import { ratioCiLogT } from '../../src/stats/ci.ts';
import { tQuantile } from '../../src/stats/student-t.ts';

const s = (backend: string, value: number, dims: Sample['dims'] = {}): Sample => ({ metric: 'cpu.events_per_s', value, unit: 'events/s', better: 'higher', dims: { backend, workload: 'cpu', ...dims }, ts: '' });

describe('metricBars', () => {
  const samples = [s('native', 100), s('native', 110), s('native', 90), s('tcg', 20), s('tcg', 22), s('tcg', 18)];

  it('normalises to the reference mean, with the log-t ratio interval and every point divided by it', () => {
    const [m] = groupByMetric(samples);
    const bars = metricBars(m!, 'native');
    expect(bars.reference).toBe('native');
    const [native, tcg] = bars.bars;
    expect(native!.value).toBeCloseTo(1, 12);
    // The reference's own bar: its t interval divided by its mean (sd 10, n 3).
    const half = (tQuantile(0.975, 2) * 10) / Math.sqrt(3) / 100;
    expect(native!.lo).toBeCloseTo(1 - half, 12);
    expect(native!.hi).toBeCloseTo(1 + half, 12);
    expect(tcg!.value).toBeCloseTo(0.2, 12);
    const ci = ratioCiLogT([100, 110, 90], [20, 22, 18]);
    expect([tcg!.lo, tcg!.hi]).toEqual([ci.lo, ci.hi]);
    expect(tcg!.lo!).toBeLessThan(0.2);
    expect(tcg!.hi!).toBeGreaterThan(0.2);
    expect(tcg!.points).toEqual([0.2, 0.22, 0.18]);
    expect(tcg!.summary.mean).toBe(20);
  });

  it('shows values in their unit when no reference is asked for', () => {
    const bars = metricBars(groupByMetric(samples)[0]!, undefined);
    expect(bars.reference).toBeUndefined();
    expect(bars.bars.map((b) => b.value)).toEqual([100, 20]);
    expect(bars.bars[1]!.points).toEqual([20, 22, 18]);
  });

  it('does not normalise when a configuration lacks the reference, and says why', () => {
    const bars = metricBars(groupByMetric([...samples, s('tcg', 40, { 'param.threads': 2 }), s('tcg', 41, { 'param.threads': 2 })])[0]!, 'native');
    expect(bars.reference).toBeUndefined();
    expect(bars.note).toMatch(/not normalised: .* has no native series/);
    expect(bars.bars.map((b) => b.value)).toEqual([100, 20, 40.5]);
  });

  it('leaves a single value without an interval', () => {
    const bars = metricBars(groupByMetric([s('native', 100), s('native', 100), s('tcg', 30)])[0]!, 'native');
    expect(bars.bars[1]!.value).toBeCloseTo(0.3, 12);
    expect(bars.bars[1]!.lo).toBeUndefined();
  });
});

describe('groupByMetric', () => {
  it('puts backends side by side in one configuration; Xen guest types are variants', () => {
    const [m] = groupByMetric([s('native', 1, { 'param.threads': 1 }), s('xen', 2, { 'param.threads': 1, guest_type: 'pvh' }), s('xen', 3, { 'param.threads': 1, guest_type: 'hvm' }), s('tcg', 4, { 'param.threads': 2 })]);
    expect(m!.groups.map((g) => [g.variant, g.column])).toEqual([
      ['native', 'threads=1'],
      ['xen pvh', 'threads=1'],
      ['xen hvm', 'threads=1'],
      ['tcg', 'threads=2'],
    ]);
  });

  it("folds the device model into the configuration when one series per backend remains (native's host file next to virtio-blk)", () => {
    const d = (backend: string, model: string, io = 'paravirtual') => ({ ...s(backend, 1, { io, disk_model: model, workload: 'disk' }), metric: 'disk.seq_read_mib_s' });
    const [folded] = groupByMetric([d('native', 'host-file'), d('tcg', 'virtio-blk'), d('tcg', 'ide', 'emulated')]);
    expect(folded!.groups.map((g) => [g.variant, g.column, g.device])).toEqual([
      ['native', 'io=paravirtual', 'host-file'],
      ['tcg', 'io=paravirtual', 'virtio-blk'],
      ['tcg', 'io=emulated', 'ide'],
    ]);
    const [kept] = groupByMetric([d('tcg', 'virtio-blk'), d('tcg', 'virtio-scsi')]);
    expect(kept!.groups.map((g) => g.column)).toEqual(['disk_model=virtio-blk', 'disk_model=virtio-scsi']);
  });
});
