import { z } from 'zod';
import type { RunRecord } from './run-record.ts';
import type { Sample } from './sample.ts';

/**
 * Schemas that check what the store reads back (and the samples it is asked to write).
 * Objects are loose: fields added by later versions are kept, not dropped.
 */

const dimValue = z.union([z.string(), z.number(), z.boolean()]);

export const sampleSchema = z.looseObject({
  metric: z.string().min(1),
  value: z.number(), // finite: zod rejects NaN and ±Infinity, which JSON cannot hold
  unit: z.string(),
  better: z.enum(['higher', 'lower']),
  dims: z.record(z.string(), dimValue),
  ts: z.string().min(1),
}) satisfies z.ZodType<Sample>;

const caseStatus = z.enum(['pending', 'completed', 'failed', 'timed-out', 'skipped']);

export const runRecordSchema = z.looseObject({
  format: z.literal(1),
  id: z.string().min(1),
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
    }),
  ),
  samplesFile: z.string().min(1),
});

/** `field.path: message` per issue, joined with "; ". */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('').replace(/^\./, '');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Narrowing helper: a parsed run.json is a RunRecord (the schema checked the fields readers rely on). */
export function asRunRecord(value: z.output<typeof runRecordSchema>): RunRecord {
  return value as unknown as RunRecord;
}
