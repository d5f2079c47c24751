import { describe, expect, it } from 'vitest';
import { buildDensity } from '../../src/report/density.ts';
import { groupByMetric } from '../../src/report/groups.ts';
import type { Sample } from '../../src/results/sample.ts';
import { ratioCiLogT } from '../../src/stats/ci.ts';
import { densityMarkdown } from '../../src/report/tables/density-markdown.ts';

/** Per-guest samples of cpu.events_per_s for a density case. */
function guestSamples(backend: string, guests: number, values: number[], neighbour?: string): Sample[] {
  return values.map((value, i) => ({
    metric: 'cpu.events_per_s',
    value,
    unit: 'events/s',
    better: 'higher',
    dims: {
      backend,
      workload: 'cpu',
      run: 'r',
      case: `${backend}/cpu/guests=${guests}${neighbour ? `,neighbour=${neighbour}` : ''}`,
      rep: i + 1,
      guests,
      ...(neighbour ? { neighbour } : {}),
      guest_index: 1,
    },
    ts: '2026-12-06T00:00:00Z',
  }));
}
const sums = (backend: string, guests: number, values: number[], neighbour?: string): Sample[] =>
  guestSamples(backend, guests, values, neighbour).map((s) => ({ ...s, metric: 'cpu.events_per_s.sum', dims: { ...s.dims, guest_index: 0 } }));

describe('the interference penalty of a noisy neighbour', () => {
  const quiet = [500, 520, 510];
  const noisy = [260, 250, 270];
  const samples = [
    ...guestSamples('tcg', 2, quiet),
    ...sums('tcg', 2, [1000, 1040, 1020]),
    ...guestSamples('tcg', 2, noisy, 'stress'),
    ...sums('tcg', 2, [260, 250, 270], 'stress'),
  ];

  it('is the measured guests’ mean beside the neighbour over the quiet case’s, with the log-t interval', () => {
    const density = buildDensity(groupByMetric(samples))!;
    expect(density).toBeDefined();
    expect(density.penalties).toHaveLength(1);
    const p = density.penalties[0]!;
    expect([p.workload, p.metric, p.variant, p.guests, p.n]).toEqual(['cpu', 'cpu.events_per_s', 'tcg', 2, { noisy: 3, quiet: 3 }]);
    expect(p.ratio).toBeCloseTo(260 / 510, 10);
    const ci = ratioCiLogT(quiet, noisy);
    expect([p.lo, p.hi]).toEqual([ci.lo, ci.hi]);
    // The quiet and the noisy case are two lines of the same guest count.
    const perGuest = density.metrics.find((m) => m.kind === 'per guest')!;
    expect(perGuest.lines.map((l) => l.configuration)).toEqual(['', 'noisy neighbour=stress']);
  });

  it('goes into the Markdown table as a row of ratios', () => {
    const md = densityMarkdown(buildDensity(groupByMetric(samples))!);
    expect(md).toMatch(/\| CPU: sysbench events per second, beside a stress-ng neighbour ÷ without \| 2 guests \| 0\.51× \[[\d.]+, [\d.]+\] \|/);
    expect(md).toContain('1× = no interference');
  });

  it('is absent without a neighbour', () => {
    const density = buildDensity(
      groupByMetric([...guestSamples('tcg', 1, quiet), ...sums('tcg', 1, quiet), ...guestSamples('tcg', 2, noisy), ...sums('tcg', 2, noisy)]),
    )!;
    expect(density.penalties).toEqual([]);
  });
});
