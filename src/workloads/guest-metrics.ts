import type { MetricDef } from './workload.ts';

/** What every case reads about its guest's own clock (src/runner/clock-drift.ts). */
export const GUEST_METRICS: MetricDef[] = [
  {
    name: 'guest.clock_drift_ppm',
    unit: 'ppm',
    better: 'lower',
    description:
      "how far the guest's clock ran from the host's between the agent's ready and done, in millionths of the host's time (0 is right; positive: the guest's clock ran fast)",
  },
];
