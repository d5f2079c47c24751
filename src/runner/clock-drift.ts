import type { GuestSession } from '../guest/protocol/session.ts';
import type { MetricValue } from '../workloads/workload.ts';

/**
 * Shortest stretch between the guest's ready and done, on the host's clock, for which the
 * drift is computed: both ends are timed when a console line arrives (millisecond clock,
 * plus the console's latency), which over a shorter stretch says more about the console
 * than about the guest's clock.
 */
export const MIN_DRIFT_SPAN_MS = 1000;

/**
 * `guest.clock_drift_ppm`: how far the guest's clock ran from the host's between the agent's
 * ready and done, in parts per million of the host's time:
 * ((guest_done − guest_ready) − (host_done − host_ready)) / (host_done − host_ready) × 10⁶.
 * Positive: the guest's clock ran fast (rates it times read low, durations long).
 * None when a reading is missing or the stretch is shorter than MIN_DRIFT_SPAN_MS.
 */
export function clockDrift(session: Pick<GuestSession, 'readyAt' | 'doneAt' | 'guestClockAtReadyNs' | 'guestClockAtDoneNs'>): MetricValue[] {
  const { readyAt, doneAt, guestClockAtReadyNs: g0, guestClockAtDoneNs: g1 } = session;
  if (readyAt === undefined || doneAt === undefined || g0 === undefined || g1 === undefined) return [];
  const hostMs = doneAt - readyAt;
  if (hostMs < MIN_DRIFT_SPAN_MS || g1 < g0) return [];
  const guestMs = (g1 - g0) / 1e6;
  return [{ metric: 'guest.clock_drift_ppm', value: ((guestMs - hostMs) / hostMs) * 1e6 }];
}
