import path from 'node:path';
import type { ReportRun } from '../../src/report/input.ts';
import { readSamples } from '../../src/results/samples-file.ts';
import { openRun } from '../../src/results/store.ts';
import { DEFAULT_IGNORED_DIMS } from '../../src/stats/series.ts';
import { settingsFor } from '../../src/stats/thresholds.ts';
import { REPO } from './cli.ts';

/**
 * Runs captured with the real CLI on real backends (test/fixtures/runs/, see its README):
 * the data compare, report and history are tested on, with every dimension a real run records.
 */
export const REAL_RUNS = path.join(REPO, 'test', 'fixtures', 'runs');

export async function loadRealRun(name: string): Promise<ReportRun> {
  const run = await openRun(path.join(REAL_RUNS, name));
  const { samples, warnings } = await readSamples(run);
  return { record: run.record, samples, warnings: [...run.warnings, ...warnings] };
}

/**
 * The options the real-run tests build reports and comparisons with: the default ignored
 * dimensions and thresholds, a fixed seed (permutations and bootstraps repeat exactly), log-t
 * intervals of ratios.
 */
export const REPORT_OPTIONS = {
  ignore: new Set(DEFAULT_IGNORED_DIMS),
  settings: (metric: string) => settingsFor(metric, []),
  seed: 1,
  permutations: 200,
  ratioCi: 'log-t' as const,
};
