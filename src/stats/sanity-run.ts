import type { Sample } from '../results/sample.ts';
import type { SanityFlag } from './sanity.ts';
import { cvOutlierFlags } from './sanity-cv.ts';
import { clockDriftFlags } from './sanity-drift.ts';
import { labFlag, labHostsOf } from './sanity-lab.ts';

interface RunSamples {
  id: string;
  samples: readonly Sample[];
}

/**
 * The flags a run's own samples raise, whatever they are compared with: lab figures, clock
 * drift, CV outliers. Each run on its own (a backend's usual is its usual in that run);
 * with several runs each flag starts with its run's id.
 */
export function runSanityFlags(runs: readonly RunSamples[]): SanityFlag[] {
  const lab = labFlag([...new Set(runs.flatMap((r) => labHostsOf(r.samples)))].sort());
  return [...(lab ? [lab] : []), ...measuredFlags(runs)];
}

/** Clock drift and CV outliers of each run (the report finds its lab hosts in the run records too). */
export function measuredFlags(runs: readonly RunSamples[]): SanityFlag[] {
  const out: SanityFlag[] = [];
  const ids = [...new Set(runs.map((r) => r.id))];
  for (const run of runs) {
    const prefix = ids.length > 1 ? `${run.id}: ` : '';
    out.push(...clockDriftFlags(run.samples, undefined, prefix), ...cvOutlierFlags(run.samples, prefix));
  }
  return out;
}
