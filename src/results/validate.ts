import { z } from 'zod';
import { RUN_ID_PATTERN } from './run-id.ts';
import type { RunRecord } from './run-record.ts';
import type { Sample } from './sample.ts';

/**
 * Schemas that check what the store reads back (and the samples it is asked to write).
 * Objects are loose: fields added by later versions are kept, not dropped.
 */

const dimValue = z.union([z.string(), z.number(), z.boolean()]);

/**
 * A metric name: letters, digits, `_`, `.`, `:` and `-`, at most 128 characters. Metric names
 * become parts of file names in reports, so a `/` or a name of dots could leave the folder.
 */
export const METRIC_NAME = /^(?!\.+$)[A-Za-z0-9_.:-]{1,128}$/;

export const sampleSchema = z.looseObject({
  metric: z.string().regex(METRIC_NAME, 'expected a metric name of letters, digits, "_", ".", ":" and "-" (at most 128)'),
  value: z.number(), // finite: zod rejects NaN and ±Infinity, which JSON cannot hold
  unit: z.string(),
  better: z.enum(['higher', 'lower']),
  dims: z.record(z.string(), dimValue),
  ts: z.string().min(1),
}) satisfies z.ZodType<Sample>;

const caseStatus = z.enum(['pending', 'completed', 'failed', 'timed-out', 'skipped']);

/**
 * A file of the run folder named in run.json: a plain name, or `logs/<name>`; never
 * absolute, never `..`, never hidden (`.…`). Anything else could name a file outside the folder.
 */
export const RUN_FILE_NAME = /^(?:logs\/)?(?!\.)[A-Za-z0-9_.,=+@-]{1,255}$/;
const runFileName = (what: string) => z.string().regex(RUN_FILE_NAME, `expected ${what}: a file name inside the run folder (no "/", "..", or absolute path)`);

export const runRecordSchema = z.looseObject({
  format: z.literal(1),
  id: z.string().regex(RUN_ID_PATTERN, 'expected a run id YYYYMMDD-HHMMSS-<suite>-<4 hex digits>, e.g. 20250314-092653-quick-1f3a'),
  status: z.enum(['running', 'completed', 'interrupted', 'failed']),
  startedAt: z.string(),
  suite: z.looseObject({ name: z.string(), file: z.string() }),
  cases: z.array(
    z.looseObject({
      id: z.string(),
      backend: z.string(),
      workload: z.string(),
      status: caseStatus,
      repetitionsDone: z.number(),
      logs: z.array(runFileName('a log file')).optional(),
    }),
  ),
  samplesFile: runFileName('the samples file'),
  resumes: z.array(z.looseObject({ samplesSetAsideFile: runFileName('the set-aside samples file').optional() })).optional(),
});

/** `field.path: message` per issue, joined with "; ". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path
        .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
        .join('')
        .replace(/^\./, '');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Narrowing helper: a parsed run.json is a RunRecord (the schema checked the fields readers rely on). */
export function asRunRecord(value: z.output<typeof runRecordSchema>): RunRecord {
  return value as unknown as RunRecord;
}
