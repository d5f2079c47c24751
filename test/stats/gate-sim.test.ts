import { describe, expect, it } from 'vitest';
import { simulateAa, simulatePower } from '../../src/stats/gate-sim.ts';

/**
 * The gate's acceptance figures in seeded simulation (the full runs are in
 * docs/statistics.md, from `npm run sim:gate`): identical runs of a 370-series family pass
 * in ≥ 95 % of pairs, and an 8 % change at CV 2 % with 10 repetitions is caught.
 */

describe('regression gate in simulation', () => {
  it('A/A: a 370-series family (CV 1.5–6 %, n = 10) passes in ≥ 95 % of 150 pairs', () => {
    const aa = simulateAa({ pairs: 150, seed: 12 });
    expect(aa.passed / aa.pairs).toBeGreaterThanOrEqual(0.95);
  });

  it('A/A without the family-wise control fails far more often (what the bound above would catch)', () => {
    const none = simulateAa({ pairs: 30, seed: 13, correction: 'none' });
    expect(none.passed / none.pairs).toBeLessThan(0.6);
  });

  it('catches an 8 % change at CV 2 % with 10 repetitions a side in ≥ 95 % of 400 trials, in a family of 370', () => {
    expect(simulatePower({ change: 0.08, cv: 0.02, n: 10, trials: 400, seed: 14 })).toBeGreaterThanOrEqual(0.95);
  });

  it('does not catch a 3 % change (below the 5 % threshold) at CV 2 % more than rarely', () => {
    expect(simulatePower({ change: 0.03, cv: 0.02, n: 10, trials: 400, seed: 15 })).toBeLessThan(0.05);
  });
});
