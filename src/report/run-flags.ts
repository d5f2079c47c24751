import { REFERENCE_BACKEND } from '../dims/reference.ts';
import type { Sample } from '../results/sample.ts';
import { compareWithin } from '../stats/compare-report.ts';
import { renderFlags, type SanityFlag } from '../stats/sanity.ts';
import { runSanityFlags } from '../stats/sanity-run.ts';
import { byValue, DEFAULT_IGNORED_DIMS } from '../stats/series.ts';
import type { CompareSettings } from '../stats/thresholds.ts';

/**
 * The sanity flags of a run just measured, for the table `hvbench run` prints: the same
 * flags as `hvbench compare <run>` and the report (a guest faster than native when the run
 * has native and another backend, clock drift, CV outliers, lab figures), from the same
 * functions.
 */
export function runFlags(run: { id: string; samples: readonly Sample[] }, settings: (metric: string) => CompareSettings): SanityFlag[] {
  const values = new Set(run.samples.map((s) => byValue(s.dims, 'backend')).filter((v) => v !== undefined));
  if (!values.has(REFERENCE_BACKEND) || values.size < 2) return runSanityFlags([run]);
  return compareWithin(run, 'backend', REFERENCE_BACKEND, { ignore: new Set(DEFAULT_IGNORED_DIMS), settings }).flags;
}

/** The flags as lines under the table (an empty string when there is none). */
export function renderRunFlags(run: { id: string; samples: readonly Sample[] }, settings: (metric: string) => CompareSettings): string {
  const lines = renderFlags(runFlags(run, settings));
  return lines.length === 0 ? '' : `\n${lines.join('\n')}\n`;
}
