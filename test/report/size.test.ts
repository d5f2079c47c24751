import { describe, expect, it } from 'vitest';
import { overviewSpec } from '../../src/report/specs/overview.ts';
import { pngScaleFor, sizeSpec } from '../../src/report/specs/size.ts';
import type { Overview } from '../../src/report/overview.ts';

const overview: Overview = {
  reference: 'native',
  variants: ['kvm', 'tcg'],
  rows: [
    {
      workload: 'cpu',
      metric: 'cpu.events_per_s',
      metricTitle: 'CPU: sysbench events per second (events/s)',
      unit: 'events/s',
      better: 'higher',
      configuration: '',
      referenceNote: undefined,
      cells: {
        kvm: { ratio: 0.97, lo: 0.95, hi: 0.99, verdict: 'worse', n: 3, nReference: 3, notes: [] },
        tcg: { ratio: 0.12, lo: 0.05, hi: 0.26, verdict: 'worse', n: 3, nReference: 3, notes: [] },
      },
    },
  ],
};

describe('figure-size presets', () => {
  it('leaves screen figures as the page draws them, at 2×', () => {
    const spec = overviewSpec(overview)!;
    expect(sizeSpec(spec, 'screen')).toBe(spec);
    expect(pngScaleFor('screen')).toBe(2);
  });

  it('sizes a column figure for a two-column paper: paper fonts, a narrower plot, no subtitle, 300 dpi', () => {
    const spec = overviewSpec(overview)! as unknown as Record<string, any>;
    const column = sizeSpec(spec as never, 'column') as unknown as Record<string, any>;
    expect(column.width).toBeLessThan(spec.width);
    expect(column.width).toBeLessThanOrEqual(241);
    expect(column.config.axis.labelFontSize).toBe(7);
    expect(column.title.subtitle).toBeUndefined();
    expect(spec.title.subtitle).toBeDefined(); // the original is untouched
    expect(pngScaleFor('column') * 241).toBeCloseTo(1004, 0);
    const page = sizeSpec(spec as never, 'page') as unknown as Record<string, any>;
    expect(page.width).toBeGreaterThan(column.width);
  });
});
