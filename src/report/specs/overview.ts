import { metricName } from '../metric-names.ts';
import type { Overview } from '../overview.ts';
import { sortBackends } from '../palette.ts';
import { backendColour, base, round, type Spec } from './common.ts';

/**
 * The overview as a chart: one row per workload configuration (its headline metric), the
 * ratio of every variant to the reference on a log axis with its 95 % interval, a line at 1
 * (as fast as the reference). Left of 1 is less, right of 1 is more; the row's label says
 * which direction is better.
 */
export function overviewSpec(overview: Overview): Spec | undefined {
  const rows = overview.rows.flatMap((r) => {
    const label = `${r.workload}: ${metricName(r.metric).replace(/^[^:]*: /, '')}${r.configuration ? ` (${r.configuration})` : ''} ${r.better === 'higher' ? '↑' : '↓'}`;
    return Object.entries(r.cells)
      .filter(([, c]) => c.ratio !== undefined && c.ratio > 0)
      .map(([variant, c]) => ({
        row: label,
        variant,
        backend: variant.split(' ')[0]!,
        ratio: round(c.ratio),
        lo: round(c.lo),
        hi: round(c.hi),
        verdict: c.verdict,
        n: c.n,
        device: c.device ?? null,
      }));
  });
  if (rows.length === 0) return undefined;
  const order = [...new Set(rows.map((r) => r.row))];
  const y = { field: 'row', type: 'nominal', sort: order, title: null, axis: { labelLimit: 340 } };
  const yOffset = { field: 'variant', type: 'nominal', sort: overview.variants };
  const scale = { type: 'log', nice: false, padding: 10 };
  const x = { field: 'ratio', type: 'quantitative', title: `ratio to ${overview.reference} (mean ÷ mean; log scale)`, scale };
  const colour = backendColour(sortBackends(rows.map((r) => r.backend)));
  // Colour tells the backends apart; where a backend has several variants (Xen's guest types, QEMU's machine types), the shape tells those apart.
  const backends = new Set(rows.map((r) => r.backend));
  const shape =
    backends.size < new Set(rows.map((r) => r.variant)).size ? { shape: { field: 'variant', type: 'nominal', sort: overview.variants, title: 'variant' } } : {};
  return {
    ...base(
      `Every backend against ${overview.reference}`,
      [
        'one row per workload (its headline metric); points: ratio of means; bars: 95 % CI',
        `dashed line: as ${overview.reference}; ↑ higher is better, ↓ lower is better`,
      ],
      `overview: ratio of each backend to ${overview.reference} per workload`,
    ),
    data: { values: rows },
    width: 420,
    height: { step: Math.max(14, 8 * overview.variants.length) },
    layer: [
      { data: { values: [{}] }, mark: { type: 'rule', color: '#888888', strokeDash: [4, 3] }, encoding: { x: { datum: 1 } } }, // one line, not one per row
      ...(rows.some((r) => r.lo !== null)
        ? [
            {
              transform: [{ filter: 'isValid(datum.lo) && datum.lo > 0' }],
              mark: { type: 'rule', strokeWidth: 1.6 },
              encoding: { y, yOffset, x: { field: 'lo', type: 'quantitative', title: x.title, scale }, x2: { field: 'hi' }, color: colour },
            },
          ]
        : []),
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          y,
          yOffset,
          x,
          color: colour,
          ...shape,
          tooltip: [
            { field: 'row', title: 'workload' },
            { field: 'variant', title: 'backend' },
            { field: 'ratio', format: '.3~g' },
            { field: 'lo', title: '95 % CI low', format: '.3~g' },
            { field: 'hi', title: '95 % CI high', format: '.3~g' },
            { field: 'verdict' },
            { field: 'n' },
            { field: 'device' },
          ],
        },
      },
    ],
  } as unknown as Spec;
}
