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

/**
 * Each reading carries the timing noise of the console lines it is taken from: native, whose
 * clock is the host's, read −2791, +133 and +245 ppm over a 10 s disk job on a loaded 2-core
 * host. A drift is the guest's clock only when it shows in every repetition, on one side, and
 * in two repetitions at least.
 */
export const MIN_DRIFT_READINGS = 2;

function oneSided(values: readonly number[]): boolean {
  return values.every((v) => v > 0) || values.every((v) => v < 0);
}

/**
 * One flag per run naming each case whose median drift exceeds the threshold in size, every
 * repetition on the same side; none when no case does, or the run has no clock readings.
 */
export function clockDriftFlags(samples: readonly Sample[], thresholdPpm = CLOCK_DRIFT_THRESHOLD_PPM, prefix = ''): SanityFlag[] {
  const items: string[] = [];
  let largest = 0;
  for (const g of caseGroups(samples.filter((s) => s.metric === CLOCK_DRIFT_METRIC))) {
    const values = g.samples.map((s) => s.value).filter(Number.isFinite);
    if (values.length < MIN_DRIFT_READINGS || !oneSided(values)) continue;
    const ppm = medianOf(values);
    if (!(Math.abs(ppm) > thresholdPpm)) continue;
    largest = Math.max(largest, Math.abs(ppm));
    const slow = ppm < 0;
    items.push(
      `${g.label}: ${fmtPpm(Math.abs(ppm))} ppm ${slow ? 'slow' : 'fast'} (median of ${values.length}): rates it timed read ${share(ppm)} ${slow ? 'high' : 'low'}`,
    );
  }
  if (items.length === 0) return [];
  const one = items.length === 1;
  return [
    {
      kind: 'clock-drift',
      text: `${prefix}the guest's clock drifted from the host's between ready and done by more than ${thresholdPpm} ppm (${share(thresholdPpm)}) in ${items.length} case${one ? '' : 's'}, up to ${share(largest)}: rates and durations the guest timed with its own clock are off by that much.`,
      items,
    },
  ];
}

/** ppm as a share: 2300 → `0.23 %`. */
function share(ppm: number): string {
  return `${Number((Math.abs(ppm) / 1e4).toPrecision(2))} %`;
}

function fmtPpm(x: number): string {
  return String(Math.round(x));
}
