import { open, readFile, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { HvbError } from '../util/errors.ts';
import type { Sample } from './sample.ts';
import { enqueue, type StoredRun } from './store.ts';
import { describeIssues, sampleSchema } from './validate.ts';
import { normaliseZero, sampleValueProblem } from './value-range.ts';

/**
 * samples.jsonl: one Sample per line, appended and fsynced as soon as a repetition is
 * measured, so a crash loses nothing that was already measured.
 */

/**
 * Appends samples (one JSON line each) and fsyncs. Invalid samples are refused before
 * anything is written. When the write fails (a full disk, an I/O error) the file is cut
 * back to where it was, so it never ends in half a line of this batch, and the error
 * (`results-write`) names the file and the cause.
 */
export async function appendSamples(run: StoredRun, samples: readonly Sample[], io: SamplesIo = {}): Promise<void> {
  samples.forEach((sample, i) => {
    const checked = sampleSchema.safeParse(sample);
    const problem = checked.success ? sampleValueProblem(sample.value, sample.metric) : describeIssues(checked.error);
    if (problem !== undefined) {
      throw new HvbError('sample-invalid', `sample ${i} (metric ${JSON.stringify(sample.metric)}): ${problem}`, {
        hint: 'Samples must be JSON-safe: finite numbers from 0 to 1e15 (clock drift may be negative), and dims of strings, numbers or booleans.',
      });
    }
  });
  if (samples.length === 0) return;
  const text = samples.map((s) => `${JSON.stringify({ ...s, value: normaliseZero(s.value) })}\n`).join('');
  const file = samplesPath(run);
  await enqueue(run, async () => {
    const handle = await (io.open ?? open)(file, 'a+').catch((e: unknown) => {
      throw writeError(file, e, 'nothing was written');
    });
    try {
      // A line cut short by an earlier crash must not swallow the first new line.
      const { size } = await handle.stat();
      const last = Buffer.alloc(1);
      if (size > 0) await handle.read(last, 0, 1, size - 1);
      const data = Buffer.from(size > 0 && last[0] !== 0x0a ? `\n${text}` : text, 'utf8');
      try {
        // Complete lines only: a write the file system cuts short (ENOSPC, EIO) is undone.
        for (let done = 0; done < data.length; ) done += (await handle.write(data, done, data.length - done)).bytesWritten;
        await handle.sync();
      } catch (e) {
        const undone = await handle
          .truncate(size)
          .then(() => handle.sync())
          .then(
            () => `the file was cut back to its last complete line (${size} bytes)`,
            (t: unknown) => `and cutting it back to ${size} bytes failed too (${(t as Error).message}); readers skip the incomplete last line`,
          );
        throw writeError(file, e, undone);
      }
    } finally {
      await handle.close();
    }
  });
}

/** The file operations appendSamples needs; tests pass a handle that fails part-way. */
export interface SamplesIo {
  open?: (file: string, flags: 'a+') => Promise<SamplesHandle>;
}
export type SamplesHandle = Pick<FileHandle, 'stat' | 'read' | 'write' | 'truncate' | 'sync' | 'close'>;

function writeError(file: string, e: unknown, what: string): HvbError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return new HvbError('results-write', `cannot append samples to ${file}: ${code} (${(e as Error).message}); ${what}`, {
    cause: e,
    hint:
      code === 'ENOSPC' || code === 'EDQUOT'
        ? 'The results folder is full: free some space, then `hvbench run --resume <run>` runs what is missing.'
        : 'Check the results folder, then `hvbench run --resume <run>` runs what is missing.',
  });
}

export interface SamplesRead {
  samples: Sample[];
  /** Lines skipped, e.g. a last line cut short by a crash, a value out of range, a repeated sample. */
  warnings: string[];
}

/**
 * Reads every sample of a run. A line that is not complete JSON (what a crash leaves
 * behind) is skipped with a warning; a complete line that is not a valid sample means
 * the file was damaged, and is an error naming the line and field. A value no metric can
 * have (value-range.ts) and a second sample of the same run, case, repetition and metric
 * are left out, each with a warning naming the line: never pooled. −0 reads as 0. A
 * missing samples file is an error: every run writes one when it starts.
 */
export async function readSamples(run: StoredRun): Promise<SamplesRead> {
  const file = samplesPath(run);
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') {
      throw new HvbError(
        'samples-invalid',
        `${file}: missing: the run folder has no samples file (${run.record.samplesFile}, named by run.json's samplesFile)`,
        {
          cause: e,
          hint: 'Every run writes its samples file when it starts: the folder is incomplete (copied in part?).',
        },
      );
    }
    throw new HvbError('samples-invalid', `${file}: cannot read: ${e.message}`, { cause: e });
  });
  const samples: Sample[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, number>();
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
    const sample = parsed.data;
    const problem = sampleValueProblem(sample.value, sample.metric);
    if (problem !== undefined) {
      warnings.push(`${where}: left out: metric ${sample.metric}: ${problem}`);
      return;
    }
    sample.value = normaliseZero(sample.value);
    const key = sampleKey(sample);
    const first = seen.get(key);
    if (first !== undefined) {
      warnings.push(`${where}: left out: a second sample of ${describeKey(sample)} (the first is line ${first}); samples are never pooled`);
      return;
    }
    seen.set(key, i + 1);
    samples.push(sample);
  });
  return { samples, warnings };
}

/**
 * What makes a sample unique: its run, case, repetition and metric. A sample that lacks
 * one of those dimensions (not written by hvbench) cannot be told apart that way: only the
 * same sample repeated exactly (every field) counts as a repeat then.
 */
function sampleKey(s: Sample): string {
  const { run, case: id, rep, guest_index: guest } = s.dims;
  // A density case's guests each have a sample of the repetition's metrics (guest_index).
  const guestPart = guest === undefined ? [] : [guest];
  if (run !== undefined && id !== undefined && rep !== undefined) return JSON.stringify(['key', run, id, rep, s.metric, ...guestPart]);
  const sorted = (o: object) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(['same', sorted({ ...s, dims: sorted(s.dims) })]);
}

function describeKey(s: Sample): string {
  const { run, case: id, rep } = s.dims;
  return run !== undefined && id !== undefined && rep !== undefined
    ? `run ${run}, case ${id}, rep ${rep}${s.dims.guest_index === undefined ? '' : `, guest ${s.dims.guest_index}`}, metric ${s.metric}`
    : `the same sample of metric ${s.metric}`;
}

function samplesPath(run: StoredRun): string {
  return path.join(run.dir, run.record.samplesFile);
}

/** Where `setAsideSamples` moves lines to, in the run folder. */
export const SET_ASIDE_FILE = 'samples.set-aside.jsonl';

/**
 * Moves every line of the samples file that `keep` refuses (it gets undefined for a line
 * that is not a valid sample, e.g. one cut short by a crash) to `samples.set-aside.jsonl`,
 * keeping the other lines byte for byte. Both files are replaced atomically, the set-aside
 * file first, and a line already there is not added twice: a crash in between leaves the
 * line in both, and doing it again gives the same two files. Nothing is deleted.
 */
export async function setAsideSamples(run: StoredRun, keep: (sample: Sample | undefined) => boolean): Promise<{ kept: Sample[]; setAside: number }> {
  const file = samplesPath(run);
  const aside = path.join(run.dir, SET_ASIDE_FILE);
  return enqueue(run, async () => {
    const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
    const keptLines: string[] = [];
    const movedLines: string[] = [];
    const kept: Sample[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let sample: Sample | undefined;
      try {
        const parsed = sampleSchema.safeParse(JSON.parse(line));
        if (parsed.success) sample = parsed.data;
      } catch {
        // not JSON: a line cut short
      }
      if (keep(sample)) {
        keptLines.push(line);
        kept.push(sample as Sample);
      } else movedLines.push(line);
    }
    if (movedLines.length === 0) return { kept, setAside: 0 };
    const before = await readFile(aside, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
    const there = new Set(before.split('\n'));
    const added = movedLines.filter((l) => !there.has(l));
    const prefix = before === '' || before.endsWith('\n') ? before : `${before}\n`;
    await writeFileAtomic(aside, prefix + added.map((l) => `${l}\n`).join(''));
    await writeFileAtomic(file, keptLines.map((l) => `${l}\n`).join(''));
    return { kept, setAside: movedLines.length };
  });
}
