import type { Sample } from '../results/sample.ts';
import type { SanityFlag } from './sanity.ts';
import { caseGroups, medianOf } from './sanity-cases.ts';

/**
 * Clock drift: the guest's clock against the host's over each repetition, from the sample
 * `guest.clock_drift_ppm` = (guest elapsed − host elapsed) / host elapsed × 10⁶ between
 * the agent's ready and done. Every rate or duration the guest times with its own clock
 * (sysbench's events per second, fio's bandwidth, a micro-cost in ns) is off by that
 * fraction, and a job of fixed length in guest seconds runs longer or shorter on the host.
 */

export const CLOCK_DRIFT_METRIC = 'guest.clock_drift_ppm';

/**
 * 1000 ppm = 0.1 %: a 60 s measurement off by 60 ms. Below it drift is smaller than the
 * spread of any figure hvbench reports (CVs of a few % at best), and NTP-disciplined clocks
 * stay within a few hundred ppm; above it the guest's own timing is a cause worth naming.
 */
export const CLOCK_DRIFT_THRESHOLD_PPM = 1000;

/** One flag per case whose median drift exceeds the threshold in size; no samples of the metric, no flag. */
export function clockDriftFlags(samples: readonly Sample[], thresholdPpm = CLOCK_DRIFT_THRESHOLD_PPM, prefix = ''): SanityFlag[] {
  const out: SanityFlag[] = [];
  for (const g of caseGroups(samples.filter((s) => s.metric === CLOCK_DRIFT_METRIC))) {
    const reps = g.samples.filter((s) => Number.isFinite(s.value));
    const values = reps.map((s) => s.value);
    if (values.length === 0) continue;
    const ppm = medianOf(values);
    if (!(Math.abs(ppm) > thresholdPpm)) continue;
    const share = `${Number((Math.abs(ppm) / 1e4).toPrecision(2))} %`;
    const slow = ppm < 0;
    out.push({
      kind: 'clock-drift',
      text: `${prefix}${g.label}: the guest's clock ran ${fmtPpm(Math.abs(ppm))} ppm (${share}) ${slow ? 'slow' : 'fast'} against the host's between ready and done (median of ${values.length} repetition${values.length === 1 ? '' : 's'}; flagged above ${thresholdPpm} ppm): rates the guest timed with its own clock read about ${share} ${slow ? 'high' : 'low'}, durations ${slow ? 'short' : 'long'}.`,
      note: `guest clock ${slow ? 'slow' : 'fast'} by ${share} (${fmtPpm(ppm)} ppm): rates it timed read ${slow ? 'high' : 'low'}`,
      items: reps.map((s, i) => `rep ${s.dims.rep ?? i + 1}: ${fmtPpm(s.value)} ppm`),
    });
  }
  return out;
}

function fmtPpm(x: number): string {
  return String(Math.round(x));
}
