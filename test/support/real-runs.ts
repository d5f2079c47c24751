import path from 'node:path';
import type { ReportRun } from '../../src/report/input.ts';
import { readSamples } from '../../src/results/samples-file.ts';
import { openRun } from '../../src/results/store.ts';
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
