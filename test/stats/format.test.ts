import { describe, expect, it } from 'vitest';
import { fmtP } from '../../src/stats/compare.ts';
import { fmtChange, fmtNumber, fmtRatio } from '../../src/stats/format.ts';

describe('number formats of the statistics tables', () => {
  it('ratios: three decimals below 10, four digits up to 9999, an exponent beyond; never NaN or Infinity', () => {
    expect([0.8024, 1, 9.9994, 112.936, 2086.319, 48300, 1.234e-305, 0].map(fmtRatio)).toEqual([
      '0.802',
      '1.000',
      '9.999',
      '112.9',
      '2086',
      '4.83e+4',
      '1.23e-305',
      '0.000',
    ]);
    expect([undefined, Number.NaN, Infinity].map(fmtRatio)).toEqual(['–', '–', '–']);
  });

  it('changes and numbers: signed percentages, "–" for what is missing', () => {
    expect([-0.198, 0.042, 0, 1e305].map(fmtChange)).toEqual(['−19.8 %', '+4.2 %', '+0.0 %', '+1.00e+307 %']);
    expect([undefined, Number.NaN, -Infinity].map(fmtChange)).toEqual(['–', '–', '–']);
    expect([12345.6, 0.000123, 1e308, Number.NaN, undefined].map(fmtNumber)).toEqual(['12346', '1.23e-4', '1.00e+308', '–', '–']);
  });

  it('p-values: an exponent below 0.001 and "<1e-300" at the floor, never 0', () => {
    expect([0.73, 0.0123, 6.5e-14, 1e-300].map(fmtP)).toEqual(['0.73', '0.012', '6.5e-14', '<1e-300']);
  });
});
