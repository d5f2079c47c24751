import type { Overview, OverviewCell, OverviewRow } from '../../src/report/overview.ts';

/**
 * A realistic overview for the table tests: native as the reference; kvm, xen pv, xen pvh
 * and tcg as variants; cpu at threads=1 and 2; disk on virtio-blk and IDE with native's
 * host file as the reference of both; the syscall micro-cost with a fact that varied
 * between repetitions of the tcg series. Figures in the range real runs give (tcg at
 * 0.12× native for sysbench cpu, boot 100× slower under tcg).
 */

const cell = (ratio: number | undefined, lo: number | undefined, hi: number | undefined, verdict: string, over: Partial<OverviewCell> = {}): OverviewCell => ({
  ratio,
  lo,
  hi,
  verdict,
  n: 3,
  nReference: 3,
  notes: [],
  ...over,
});

const DEVICELESS = 'native has no device: its host file is the reference for every device model';

const row = (over: Partial<OverviewRow> & Pick<OverviewRow, 'workload' | 'metric' | 'metricTitle' | 'unit' | 'better' | 'cells'>): OverviewRow => ({
  configuration: '',
  referenceNote: undefined,
  ...over,
});

export function sampleOverview(): Overview {
  return {
    reference: 'native',
    variants: ['kvm', 'xen pv', 'xen pvh', 'tcg'],
    rows: [
      row({
        workload: 'boot',
        metric: 'boot.to_ready_ms',
        metricTitle: 'Boot: time to agent ready (ms)',
        unit: 'ms',
        better: 'lower',
        cells: {
          kvm: cell(1.62, 1.48, 1.77, 'worse'),
          'xen pv': cell(2.41, 2.02, 2.88, 'worse'),
          'xen pvh': cell(1.97, 1.7, 2.28, 'worse'),
          tcg: cell(112.9, 6.11, 2086.3, 'worse'),
        },
      }),
      row({
        workload: 'cpu',
        configuration: 'threads=1',
        metric: 'cpu.events_per_s',
        metricTitle: 'CPU: sysbench events per second (events/s)',
        unit: 'events/s',
        better: 'higher',
        cells: {
          kvm: cell(0.991, 0.982, 1.001, 'similar'),
          'xen pv': cell(0.978, 0.961, 0.995, 'similar'),
          'xen pvh': cell(0.985, 0.97, 1.0, 'similar'),
          tcg: cell(0.1212, 0.0534, 0.2611, 'worse'),
        },
      }),
      row({
        workload: 'cpu',
        configuration: 'threads=2',
        metric: 'cpu.events_per_s',
        metricTitle: 'CPU: sysbench events per second (events/s)',
        unit: 'events/s',
        better: 'higher',
        cells: {
          kvm: cell(0.982, 0.95, 1.015, 'similar'),
          'xen pv': cell(0.93, 0.82, 1.06, 'inconclusive'),
          'xen pvh': cell(0.961, 0.94, 0.983, 'worse'),
          tcg: cell(0.0642, 0.0521, 0.0791, 'worse'),
        },
      }),
      row({
        workload: 'disk',
        configuration: 'virtio-blk',
        metric: 'disk.rand_read_clat_p99_us',
        metricTitle: 'Disk: random read latency p99 (µs)',
        unit: 'us',
        better: 'lower',
        referenceNote: DEVICELESS,
        cells: {
          kvm: cell(1.31, 1.12, 1.53, 'worse'),
          tcg: cell(8.74, 5.9, 12.9, 'worse'),
        },
      }),
      row({
        workload: 'disk',
        configuration: 'ide',
        metric: 'disk.rand_read_clat_p99_us',
        metricTitle: 'Disk: random read latency p99 (µs)',
        unit: 'us',
        better: 'lower',
        referenceNote: DEVICELESS,
        cells: {
          kvm: cell(3.02, 2.61, 3.5, 'worse'),
          'xen pvh': cell(2.77, 2.3, 3.33, 'worse'),
          tcg: cell(21.4, 14.2, 32.3, 'worse'),
        },
      }),
      row({
        workload: 'disk',
        configuration: 'xen-vbd',
        metric: 'disk.rand_read_clat_p99_us',
        metricTitle: 'Disk: random read latency p99 (µs)',
        unit: 'us',
        better: 'lower',
        referenceNote: DEVICELESS,
        cells: {
          'xen pv': cell(1.45, 1.2, 1.75, 'worse'),
          'xen pvh': cell(1.4, 1.19, 1.65, 'worse'),
        },
      }),
      row({
        workload: 'micro',
        metric: 'micro.syscall_ns',
        metricTitle: 'Micro-cost: syscall (ns)',
        unit: 'ns',
        better: 'lower',
        cells: {
          kvm: cell(1.04, 0.93, 1.16, 'inconclusive'),
          'xen pv': cell(4.62, 3.9, 5.47, 'worse'),
          'xen pvh': cell(1.08, 0.97, 1.2, 'inconclusive'),
          tcg: cell(38.7, 30.1, 49.8, 'worse', { notes: ['guest clocksource: tsc-early, tsc'] }),
        },
      }),
    ],
  };
}
