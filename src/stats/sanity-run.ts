import type { Sample } from '../results/sample.ts';
import type { SanityFlag } from './sanity.ts';
import { cvOutlierFlags } from './sanity-cv.ts';
import { clockDriftFlags } from './sanity-drift.ts';
import { labFlag, labHostsOf } from './sanity-lab.ts';

/**
 * The flags a run's own samples raise, whatever they are compared with: lab figures, clock
 * drift, CV outliers. Each run on its own (a backend's usual is its usual in that run);
 * with several runs each flag starts with its run's id.
 */
export function runSanityFlags(runs: readonly { id: string; samples: readonly Sample[] }[], labHosts?: readonly string[]): SanityFlag[] {
  const out: SanityFlag[] = [];
  const lab = labFlag(labHosts ?? [...new Set(runs.flatMap((r) => labHostsOf(r.samples)))].sort());
  if (lab) out.push(lab);
  const ids = [...new Set(runs.map((r) => r.id))];
  for (const run of runs) {
    const prefix = ids.length > 1 ? `${run.id}: ` : '';
    out.push(...clockDriftFlags(run.samples, undefined, prefix), ...cvOutlierFlags(run.samples, prefix));
  }
  return out;
}
