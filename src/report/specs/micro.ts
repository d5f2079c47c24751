import type { MetricBars } from '../normalise.ts';
import { sortBackends, sortVariants } from '../palette.ts';
import { backendColour, base, round, thinPoints, type Spec } from './common.ts';

/**
 * Virtualization micro-costs: nanoseconds per operation (cpuid, syscall, page fault, port
 * I/O, rdtsc) per backend on a log scale — a VM exit costs orders of magnitude more than
 * an instruction that stays in the guest. Points: means with 95 % intervals; faint: repetitions.
 */

/** Metrics the micro chart shows: the `micro.*` figures measured in nanoseconds. */
export function isMicroCost(metric: string, unit: string): boolean {
  return metric.startsWith('micro.') && unit === 'ns';
}

export function microSpec(metrics: readonly MetricBars[]): Spec | undefined {
  const bars = metrics.flatMap((m) => m.bars).filter((b) => b.value > 0);
  if (bars.length === 0) return undefined;
  const multi = new Set(bars.map((b) => b.group.column)).size > 1;
  const op = (b: (typeof bars)[number]) => `${b.group.metric.replace(/^micro\./, '').replace(/_ns$/, '')}${multi ? ` (${b.group.column})` : ''}`;
  const rows = bars.flatMap((b) => [
    {
      kind: 'mean',
      op: op(b),
      variant: b.group.variant,
      backend: b.group.backend,
      value: round(b.value),
      lo: round(b.lo !== undefined && b.lo > 0 ? b.lo : undefined),
      hi: round(b.hi),
      n: b.summary.n,
    },
    ...thinPoints(
      b.points.filter((v) => v > 0),
      100,
    ).map((v) => ({ kind: 'rep', op: op(b), variant: b.group.variant, backend: b.group.backend, value: round(v) })),
  ]);
  const backends = sortBackends(bars.map((b) => b.group.backend));
  const ops = [...new Set(bars.map(op))];
  const x = { field: 'op', type: 'nominal', sort: ops, title: 'operation', axis: { labelAngle: 0 } };
  const xOffset = { field: 'variant', type: 'nominal', sort: sortVariants(bars.map((b) => b.group)) };
  const y = { field: 'value', type: 'quantitative', title: 'time per operation (ns, log scale)', scale: { type: 'log' } };
  return {
    ...base(
      'Virtualization micro-costs',
      [
        'nanoseconds per operation, log scale, ↓ lower is better',
        'dots: means with their 95 % CI (on the log scale, so it stays positive); faint: repetitions',
      ],
      'micro-benchmark costs per backend',
    ),
    data: { values: rows },
    width: { step: 28 },
    height: 260,
    layer: [
      {
        transform: [{ filter: "datum.kind === 'rep'" }],
        mark: { type: 'circle', size: 10, opacity: 0.35 },
        encoding: { x, xOffset, y, color: backendColour(backends) },
      },
      ...(rows.some((r) => r.kind === 'mean' && 'lo' in r && r.lo !== null)
        ? [
            {
              transform: [{ filter: "datum.kind === 'mean' && isValid(datum.lo)" }],
              mark: { type: 'errorbar', ticks: { size: 5 }, thickness: 1.5 },
              encoding: {
                x,
                xOffset,
                y: { field: 'lo', type: 'quantitative', title: 'time per operation (ns, log scale)', scale: { type: 'log' } },
                y2: { field: 'hi' },
                color: backendColour(backends),
              },
            },
          ]
        : []),
      {
        transform: [{ filter: "datum.kind === 'mean'" }],
        mark: { type: 'point', filled: true, size: 60, stroke: '#111111', strokeWidth: 0.8 },
        encoding: {
          x,
          xOffset,
          y,
          color: backendColour(backends),
          tooltip: [
            { field: 'op', title: 'operation' },
            { field: 'variant', title: 'backend' },
            { field: 'value', title: 'mean (ns)', format: '.4~g' },
            { field: 'lo', title: '95 % CI low', format: '.4~g' },
            { field: 'hi', title: '95 % CI high', format: '.4~g' },
            { field: 'n' },
          ],
        },
      },
    ],
  } as unknown as Spec;
}
