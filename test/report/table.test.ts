import { describe, expect, it } from 'vitest';
import { formatNumber, renderResultTable } from '../../src/report/table.ts';
import type { Sample } from '../../src/results/sample.ts';

const s = (caseId: string | undefined, metric: string, value: number, unit = 'events/s', better: Sample['better'] = 'higher'): Sample => ({
  metric,
  value,
  unit,
  better,
  dims: caseId === undefined ? {} : { case: caseId },
  ts: '2025-03-14T09:27:00.000Z',
});

describe('renderResultTable', () => {
  it('groups by case and metric, keeping first-seen order, with aligned columns', () => {
    const table = renderResultTable([
      s('tcg/cpu/threads=1', 'cpu.events_per_s', 1000),
      s('tcg/boot', 'boot.total_ms', 812.4, 'ms', 'lower'),
      s('tcg/cpu/threads=1', 'cpu.events_per_s', 1100),
      s('tcg/cpu/threads=1', 'cpu.events_per_s', 1200),
    ]);
    expect(table.split('\n')).toEqual([
      'case               metric            unit        n  median  mean  CV %   min   max',
      '-----------------  ----------------  ----------  -  ------  ----  ----  ----  ----',
      'tcg/cpu/threads=1  cpu.events_per_s  events/s ↑  3    1100  1100  9.09  1000  1200',
      'tcg/boot           boot.total_ms     ms ↓        1     812   812     –   812   812',
    ]);
  });

  it('keeps rows apart when a metric comes in two units', () => {
    const table = renderResultTable([s('c', 'm', 1, 's'), s('c', 'm', 1000, 'ms')]);
    expect(table.split('\n')).toHaveLength(4);
  });

  it('shows a dash for samples without a case dim', () => {
    expect(renderResultTable([s(undefined, 'm', 1)]).split('\n')[2]).toMatch(/^– {3}/);
  });

  it('renders only the header for no samples', () => {
    expect(renderResultTable([]).split('\n')).toHaveLength(2);
  });
});

describe('formatNumber', () => {
  it.each([
    [0, '0'],
    [12345.6, '12346'],
    [123.45, '123'],
    [12.345, '12.3'],
    [1.2345, '1.23'],
    [1.5, '1.5'],
    [0.012345, '0.0123'],
    [-0.5, '-0.5'],
    [99.95, '100'],
    [0.000012345, '1.23e-5'],
    [4.567e9, '4.57e+9'],
    [Number.NaN, '–'],
  ])('%d → %s', (x, expected) => {
    expect(formatNumber(x)).toBe(expected);
  });
});
