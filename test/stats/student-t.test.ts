import { describe, expect, it } from 'vitest';
import { incompleteBeta, lnGamma, tCdf, tQuantile } from '../../src/stats/student-t.ts';

describe("Student's t distribution", () => {
  it.each([
    // Two-sided 95 % critical values from any t table (and R's qt).
    [0.975, 1, 12.7062047],
    [0.975, 2, 4.30265273],
    [0.975, 5, 2.57058184],
    [0.975, 9, 2.26215716],
    [0.975, 10, 2.22813885],
    [0.975, 30, 2.04227246],
    [0.975, 120, 1.97993041],
    [0.995, 8, 3.35538733],
    [0.95, 4, 2.13184679],
  ])('quantile %f with %i degrees of freedom is %f', (p, df, t) => {
    expect(tQuantile(p, df)).toBeCloseTo(t, 6);
    expect(tQuantile(1 - p, df)).toBeCloseTo(-t, 6);
  });

  it('approaches the normal quantile for many degrees of freedom', () => {
    expect(tQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5);
  });

  it('has the CDF of the tables', () => {
    expect(tCdf(0, 3)).toBeCloseTo(0.5, 12);
    expect(tCdf(2, 10)).toBeCloseTo(0.9633062, 6); // R: pt(2, 10)
    expect(tCdf(-1, 1)).toBeCloseTo(0.25, 10); // Cauchy: 1/2 + atan(−1)/π
    expect(tCdf(Infinity, 4)).toBe(1);
  });

  it('has a correct log-gamma and incomplete beta underneath', () => {
    expect(lnGamma(5)).toBeCloseTo(Math.log(24), 10);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 10);
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12); // uniform
    expect(incompleteBeta(0.5, 2, 3)).toBeCloseTo(0.6875, 10); // 1 − Σ… = 11/16
  });

  it('refuses nonsense arguments', () => {
    expect(() => tQuantile(1, 5)).toThrow(/strictly between 0 and 1, received 1/);
    expect(() => tQuantile(0.5, 0)).toThrow(/degrees of freedom > 0, received 0/);
  });
});
