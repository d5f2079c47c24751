import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { HvbError } from '../util/errors.ts';
import type { Sample } from './sample.ts';
import { enqueue, type StoredRun } from './store.ts';
import { describeIssues, sampleSchema } from './validate.ts';

/**
 * samples.jsonl: one Sample per line, appended and fsynced as soon as a repetition is
 * measured, so a crash loses nothing that was already measured.
 */

/** Appends samples (one JSON line each) and fsyncs. Invalid samples are refused before anything is written. */
export async function appendSamples(run: StoredRun, samples: readonly Sample[]): Promise<void> {
  samples.forEach((sample, i) => {
    const checked = sampleSchema.safeParse(sample);
    if (!checked.success) {
      throw new HvbError('sample-invalid', `sample ${i} (metric ${JSON.stringify(sample.metric)}): ${describeIssues(checked.error)}`, {
        hint: 'Samples must be JSON-safe: finite numbers, and dims of strings, numbers or booleans.',
      });
    }
  });
  if (samples.length === 0) return;
  const text = samples.map((s) => `${JSON.stringify(s)}\n`).join('');
  await enqueue(run, async () => {
    const handle = await open(samplesPath(run), 'a+');
    try {
      // A line cut short by an earlier crash must not swallow the first new line.
      const { size } = await handle.stat();
      const last = Buffer.alloc(1);
      if (size > 0) await handle.read(last, 0, 1, size - 1);
      await handle.appendFile(size > 0 && last[0] !== 0x0a ? `\n${text}` : text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

export interface SamplesRead {
  samples: Sample[];
  /** Lines skipped, e.g. a last line cut short by a crash. */
  warnings: string[];
}

/**
 * Reads every sample of a run. A line that is not complete JSON (what a crash leaves
 * behind) is skipped with a warning; a complete line that is not a valid sample means
 * the file was damaged, and is an error naming the line and field.
 */
export async function readSamples(run: StoredRun): Promise<SamplesRead> {
  const file = samplesPath(run);
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return '';
    throw new HvbError('samples-invalid', `${file}: cannot read: ${e.message}`, { cause: e });
  });
  const samples: Sample[] = [];
  const warnings: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file} line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const last = i >= lines.length - 2;
      warnings.push(`${where}: skipped an incomplete line${last ? ' (the run probably stopped while writing it)' : ''}`);
      return;
    }
    const parsed = sampleSchema.safeParse(value);
    if (!parsed.success) throw new HvbError('samples-invalid', `${where}: ${describeIssues(parsed.error)}`);
    samples.push(parsed.data);
  });
  return { samples, warnings };
}

function samplesPath(run: StoredRun): string {
  return path.join(run.dir, run.record.samplesFile);
}
