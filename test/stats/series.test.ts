import { describe, expect, it } from 'vitest';
import type { Sample } from '../../src/results/sample.ts';
import { DEFAULT_IGNORED_DIMS, differingDims, groupSeries, matchBy, matchRuns, seriesLabel, varyingFacts } from '../../src/stats/series.ts';

const ignore = new Set(DEFAULT_IGNORED_DIMS);

function s(value: number, dims: Sample['dims'], metric = 'cpu.events_per_s'): Sample {
  return {
    metric,
    value,
    unit: 'events/s',
    better: 'higher',
    dims: { suite: 'q', workload: 'cpu', host: 'local', host_cpu: 'X', 'param.threads': 1, ...dims },
    ts: '2026-01-01T00:00:00Z',
  };
}
const tcg = (run: string, rep: number, value: number, extra: Sample['dims'] = {}) =>
  s(value, { run, rep, backend: 'tcg', accel: 'tcg', case: 'tcg/cpu', qemu: '7.2', image: 'i1', ...extra });

describe('series', () => {
  it('matches configuration, variant and host; keeps what follows from the variant as facts', () => {
    const series = groupSeries([tcg('r1', 1, 10), tcg('r1', 2, 11, { image: 'i2' }), tcg('r1', 3, 12, { 'param.threads': 2 })], ignore);
    expect(series).toHaveLength(2);
    expect(series[0]).toMatchObject({
      values: [10, 11],
      reps: [1, 2],
      provenance: { image: ['i1', 'i2'], qemu: ['7.2'], suite: ['q'] },
      facts: { accel: ['tcg'] },
    });
    expect(Object.keys(series[0]!.dims)).toEqual(['backend', 'host', 'host_cpu', 'param.threads', 'workload']);
  });

  it('a fact that differs between repetitions of one case is a note, not a second series', () => {
    const series = groupSeries(
      [
        tcg('r1', 1, 10, { guest_clocksource: 'tsc-early' }),
        tcg('r1', 2, 11, { guest_clocksource: 'tsc' }),
        tcg('r1', 3, 12, { guest_clocksource: 'tsc-early' }),
      ],
      ignore,
    );
    expect(series).toHaveLength(1);
    expect(series[0]!.values).toEqual([10, 11, 12]);
    expect(varyingFacts(series[0]!)).toEqual(['guest clocksource: tsc-early, tsc']);
  });

  it('within a run, the host follows the backend; between runs it is matched', () => {
    const native = (rep: number, v: number) =>
      s(v, { run: 'r', rep, backend: 'native', accel: 'native', case: 'native/cpu', host: 'local', guest_hypervisor: 'KVM' });
    const kvm = (rep: number, v: number) =>
      s(v, { run: 'r', rep, backend: 'kvm', accel: 'kvm', case: 'kvm/cpu', host: 'lab-kvm', host_kind: 'lab', guest_hypervisor: 'none' });
    const m = matchBy([native(1, 100), native(2, 101), kvm(1, 90), kvm(2, 91)], 'backend', 'native', ignore);
    expect(m.pairs).toHaveLength(1);
    expect(m.pairs[0]!.b.facts).toMatchObject({ host: ['lab-kvm'], host_kind: ['lab'] });
    expect(matchRuns([native(1, 100)], [{ ...native(1, 100), dims: { ...native(1, 100).dims, host: 'other' } }], ignore).pairs).toHaveLength(0);
  });

  it('compares Xen guest types as variants of their own: xen pv and xen pvh against native', () => {
    const xen = (type: string, rep: number, v: number) =>
      s(v, { run: 'r', rep, backend: 'xen', guest_type: type, accel: 'xen', case: `xen:${type}/cpu`, dom0_kernel: '6.1', xen_scheduler: 'credit2' });
    const native = (rep: number, v: number) => s(v, { run: 'r', rep, backend: 'native', accel: 'native', case: 'native/cpu' });
    const m = matchBy([native(1, 100), native(2, 101), xen('pv', 1, 80), xen('pv', 2, 81), xen('pvh', 1, 90), xen('pvh', 2, 92)], 'backend', 'native', ignore);
    expect(m.values).toEqual(['native', 'xen pv', 'xen pvh']);
    expect(m.pairs.map((p) => [p.value, p.b.values])).toEqual([
      ['xen pv', [80, 81]],
      ['xen pvh', [90, 92]],
    ]);
    expect(m.unmatched).toEqual([]);
    expect(seriesLabel(m.pairs[0]!.b.dims)).toBe('xen:pv/cpu threads=1');
    // By guest type: PVH against PV within Xen.
    const types = matchBy([xen('pv', 1, 80), xen('pv', 2, 81), xen('pvh', 1, 90), xen('pvh', 2, 92), native(1, 100)], 'guest_type', 'pv', ignore);
    expect(types.values).toEqual(['pv', 'pvh']);
    expect(types.pairs.map((p) => [p.value, p.a.values, p.b.values])).toEqual([['pvh', [80, 81], [90, 92]]]);
  });

  it('native, without a device of its own, is the reference for every device model of its workload', () => {
    const disk = (backend: string, rep: number, value: number, io: string, model: string) =>
      s(
        value,
        {
          run: 'r',
          rep,
          backend,
          accel: backend,
          workload: 'disk',
          case: `${backend}/disk/io=${io}`,
          'param.io': backend === 'native' ? 'paravirtual' : io,
          io,
          disk_model: model,
        },
        'disk.seq_read_mib_s',
      );
    const samples = [
      disk('native', 1, 1400, 'none', 'host-file'),
      disk('native', 2, 1450, 'none', 'host-file'),
      disk('tcg', 1, 1200, 'paravirtual', 'virtio-blk'),
      disk('tcg', 2, 1300, 'paravirtual', 'virtio-blk'),
      disk('tcg', 1, 650, 'emulated', 'ide'),
      disk('tcg', 2, 700, 'emulated', 'ide'),
    ];
    const m = matchBy(samples, 'backend', 'native', ignore);
    expect(m.unmatched).toEqual([]);
    expect(m.pairs.map((p) => [p.b.dims.disk_model, p.a.values, p.deviceless])).toEqual([
      ['virtio-blk', [1400, 1450], true],
      ['ide', [1400, 1450], true],
    ]);
  });

  it('keeps metrics, units and directions apart', () => {
    const other = { ...tcg('r1', 1, 5), unit: 'ms' };
    expect(groupSeries([tcg('r1', 1, 10), other, s(3, { backend: 'tcg' }, 'cpu.latency_avg_ms')], ignore)).toHaveLength(3);
  });

  it('matches two runs across a QEMU upgrade, and lists what has no partner', () => {
    const a = [tcg('r1', 1, 10), tcg('r1', 2, 11), tcg('r1', 1, 20, { 'param.threads': 2 })];
    const b = [tcg('r2', 1, 9, { qemu: '8.0' }), tcg('r2', 2, 9.5, { qemu: '8.0' }), tcg('r2', 1, 5, { host_cpu: 'Y' })];
    const m = matchRuns(a, b, ignore);
    expect(m.pairs).toHaveLength(1);
    expect(m.pairs[0]!.a.values).toEqual([10, 11]);
    expect(m.pairs[0]!.b.values).toEqual([9, 9.5]);
    expect(m.onlyA.map((x) => x.dims['param.threads'])).toEqual([2]);
    expect(m.onlyB.map((x) => x.dims.host_cpu)).toEqual(['Y']);
  });

  it('pairs backends within a run against a reference, ignoring accel and backend facts', () => {
    const samples = [
      tcg('r', 1, 10),
      tcg('r', 2, 11),
      s(200, { run: 'r', rep: 1, backend: 'native', accel: 'native', case: 'native/cpu' }),
      s(210, { run: 'r', rep: 2, backend: 'native', accel: 'native', case: 'native/cpu' }),
      tcg('r', 1, 30, { 'param.threads': 2 }),
    ];
    const m = matchBy(samples, 'backend', 'native', ignore);
    expect(m.values).toEqual(['native', 'tcg']);
    expect(m.pairs).toHaveLength(1);
    expect(m.pairs[0]).toMatchObject({ value: 'tcg', a: { values: [200, 210] }, b: { values: [10, 11] } });
    expect(m.unmatched.map((x) => x.values)).toEqual([[30]]);
  });

  it('pairs paravirtual with emulated devices within a run: the parameter, model and driver follow from io', () => {
    const disk = (rep: number, value: number, io: string, model: string, driver: string) =>
      s(
        value,
        {
          run: 'r',
          rep,
          backend: 'tcg',
          accel: 'tcg',
          workload: 'disk',
          case: `tcg/disk/io=${io}`,
          'param.io': io,
          io,
          disk_model: model,
          disk_driver: driver,
        },
        'disk.seq_read_mib_s',
      );
    const samples = [
      disk(1, 1200, 'paravirtual', 'virtio-blk', 'virtio_blk'),
      disk(2, 1300, 'paravirtual', 'virtio-blk', 'virtio_blk'),
      disk(1, 650, 'emulated', 'ide', 'ata_piix'),
      disk(2, 700, 'emulated', 'ide', 'ata_piix'),
    ];
    const m = matchBy(samples, 'io', 'paravirtual', ignore);
    expect(m.pairs).toHaveLength(1);
    expect(m.pairs[0]).toMatchObject({ value: 'emulated', a: { values: [1200, 1300] }, b: { values: [650, 700] } });
    expect(matchBy(samples, 'disk_model', 'virtio-blk', ignore).pairs[0]).toMatchObject({ value: 'ide', b: { values: [650, 700] } });
  });

  it('labels series by backend, workload, parameters and what else varies', () => {
    expect(seriesLabel({ backend: 'tcg', workload: 'cpu', 'param.threads': 2, 'param.timeSec': 5, vcpus: 2, accel: 'tcg' }, ['vcpus', 'accel'])).toBe(
      'tcg/cpu threads=2,timeSec=5 vcpus=2',
    );
    expect(seriesLabel({})).toBe('(all)');
  });

  it('explains why two runs share no series', () => {
    const diff = differingDims([tcg('r1', 1, 10)], [tcg('r2', 1, 10, { suite: 'nightly', host_cpu: 'Y' })], ignore);
    expect(diff).toEqual(['host_cpu: X vs Y']);
  });
});

describe('signed readings', () => {
  it('are never a series: a ratio of two clock drifts means nothing', () => {
    const at = (metric: string, value: number, backend: string) => ({
      metric,
      value,
      unit: 'x',
      better: 'lower' as const,
      dims: { backend, case: `${backend}/cpu`, rep: 1 },
      ts: '',
    });
    const samples = [
      at('guest.clock_drift_ppm', -649, 'tcg'),
      at('guest.clock_drift_ppm', 120, 'native'),
      at('cpu.events_per_s', 5, 'tcg'),
      at('cpu.events_per_s', 9, 'native'),
    ];
    expect(groupSeries(samples).map((s) => s.metric)).toEqual(['cpu.events_per_s', 'cpu.events_per_s']);
    expect(matchBy(samples, 'backend', 'native', new Set()).pairs.map((p) => p.a.metric)).toEqual(['cpu.events_per_s']);
  });
});
