import type { Bar } from '../normalise.ts';
import { sortBackends, sortVariants } from '../palette.ts';
import { backendColour, base, direction, round, withUnit, type Spec } from './common.ts';

/**
 * Paravirtual against emulated devices, per backend: for each metric of a workload (disk
 * or net), one small chart with a pair of bars per backend — paravirtual solid, emulated
 * light — with 95 % intervals. Absolute values: each chart has its own unit.
 */

export interface IoMetric {
  metric: string;
  unit: string;
  better: 'higher' | 'lower';
  /** Absolute bars of the metric's series that have an `io` dimension. */
  bars: Bar[];
}

export function ioPairsSpec(workload: string, metrics: readonly IoMetric[]): Spec {
  const backends = sortBackends(metrics.flatMap((m) => m.bars.map((b) => b.group.backend)));
  const charts = metrics.map((m) => {
    const rows = m.bars.map((b) => ({
      variant: b.group.variant,
      backend: b.group.backend,
      io: String(b.group.dims.io),
      device: `${String(b.group.dims.io)}: ${b.group.device ?? '?'}${otherParams(b.group.column)}`,
      value: round(b.value),
      lo: round(b.lo),
      hi: round(b.hi),
      n: b.summary.n,
    }));
    const devices = [...new Set(rows.map((r) => r.device))].sort((a, b) =>
      a.startsWith('paravirtual') === b.startsWith('paravirtual') ? (a < b ? -1 : 1) : a.startsWith('paravirtual') ? -1 : 1,
    );
    const x = { field: 'variant', type: 'nominal', sort: sortVariants(m.bars.map((b) => b.group)), title: null, axis: { labelAngle: 0 } };
    const xOffset = { field: 'device', type: 'nominal', sort: devices };
    const y = { field: 'value', type: 'quantitative', title: withUnit(m.metric, m.unit) };
    return {
      title: { text: m.metric, subtitle: direction(m.better) },
      data: { values: rows },
      width: { step: 26 },
      height: 160,
      layer: [
        {
          mark: { type: 'bar', stroke: '#333333', strokeWidth: 0.5 },
          encoding: {
            x,
            xOffset,
            y,
            color: backendColour(backends),
            opacity: {
              field: 'io',
              type: 'ordinal',
              sort: ['paravirtual', 'emulated'],
              title: 'I/O',
              scale: { domain: ['paravirtual', 'emulated'], range: [0.95, 0.35] },
            },
            tooltip: [
              { field: 'variant', title: 'backend' },
              { field: 'device' },
              { field: 'value', title: `mean (${m.unit})`, format: '.4~g' },
              { field: 'lo', title: '95 % CI low', format: '.4~g' },
              { field: 'hi', title: '95 % CI high', format: '.4~g' },
              { field: 'n' },
            ],
          },
        },
        ...(rows.every((r) => r.lo === null)
          ? []
          : [
              {
                transform: [{ filter: 'isValid(datum.lo)' }],
                mark: { type: 'errorbar', ticks: { size: 6 }, color: '#222222' },
                encoding: { x, xOffset, y: { field: 'lo', type: 'quantitative', title: withUnit(m.metric, m.unit) }, y2: { field: 'hi' } },
              },
            ]),
      ],
    };
  });
  return {
    ...base(
      `${workload}: paravirtual vs emulated`,
      ['per backend: solid = paravirtual, light = emulated; error bars: 95 % CI of the mean'],
      `${workload} metrics on paravirtual and emulated devices`,
    ),
    concat: charts,
    columns: 3,
    resolve: { scale: { y: 'independent', x: 'independent', xOffset: 'independent' } },
  } as unknown as Spec;
}

/** Parameters other than the I/O class, appended to the device name when they vary. */
function otherParams(column: string): string {
  const rest = column.split(' ').filter((p) => !/^(io|disk_model|nic_model|net_attach)=/.test(p) && p !== '' && !/^[a-z]+$/.test(p));
  return rest.length > 0 ? ` ${rest.join(' ')}` : '';
}
