import { processExists } from '../util/proc.ts';
import { readdirSync, rmSync } from 'node:fs';
import { access, constants, mkdir, open, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HvbError } from '../util/errors.ts';
import { isOwnTempFileOf, syncDir, writeFileAtomic, writeFileAtomicSync } from '../util/atomic-write.ts';
import { makeRunId } from './run-id.ts';
import { RUN_FORMAT, type NewRun, type RunRecord } from './run-record.ts';
import { checkRealFolder, checkRunFile, checkRunSubfolder } from './confine.ts';
import { SCRATCH_DIR } from './scratch-dir.ts';
import { asRunRecord, describeIssues, runRecordSchema } from './validate.ts';

/**
 * The on-disk store. A run is a folder `<outDir>/<run-id>/` holding
 * `run.json` (rewritten atomically after every change), `samples.jsonl` (appended and
 * fsynced after every repetition) and `logs/` (guest console logs).
 */

export const RUN_FILE = 'run.json';
export const SAMPLES_FILE = 'samples.jsonl';
export const LOGS_DIR = 'logs';
/** Where runs go, and where a bare run id is looked up, unless told otherwise. */
export const DEFAULT_RESULTS_DIR = 'results';

/** A run on disk: its folder and the record as last written (or about to be). */
export interface StoredRun {
  id: string;
  dir: string;
  record: RunRecord;
  /** Problems found while opening it, e.g. a run that says `running` but whose process is gone. */
  warnings: string[];
}

// One write at a time per run: a later rewrite of run.json must never land before an earlier one.
const queues = new WeakMap<StoredRun, Promise<unknown>>();

/** Runs `task` after every task queued before it on the same run. */
export function enqueue<T>(run: StoredRun, task: () => Promise<T>): Promise<T> {
  const next = (queues.get(run) ?? Promise.resolve()).then(task, task);
  queues.set(
    run,
    next.catch(() => undefined),
  );
  return next;
}

/** Free space a results folder must have before a run starts measuring (or resumes). */
export const MIN_FREE_BYTES = 32 * 1024 * 1024;

export interface WritableCheck {
  /** Default MIN_FREE_BYTES. */
  minFreeBytes?: number;
  /** For tests: what statfs says about the folder's file system. */
  statfs?: (dir: string) => Promise<{ bavail: number; bsize: number }>;
}

/**
 * Proves that `dir` takes data: writes a probe file, fsyncs it and removes it again, then
 * asks the file system (statfs) for the space left to this user. A folder that is
 * read-only, on a read-only mount, or nearly full fails here, with its name, before anything
 * is measured.
 */
export async function checkWritable(dir: string, options: WritableCheck = {}): Promise<void> {
  const probe = path.join(dir, `.hvbench-probe-${process.pid}`);
  try {
    const handle = await open(probe, 'w');
    try {
      await handle.writeFile('hvbench write probe\n');
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (e) {
    throw outDirError(dir, e);
  } finally {
    await rm(probe, { force: true }).catch(() => {});
  }
  const minFree = options.minFreeBytes ?? MIN_FREE_BYTES;
  let free: number;
  try {
    const fs = await (options.statfs ?? statfs)(dir);
    free = fs.bavail * fs.bsize;
  } catch (e) {
    throw outDirError(dir, e);
  }
  if (free < minFree) {
    throw new HvbError('results-dir', `cannot write results to ${dir}: only ${mib(free)} MiB free on its file system, at least ${mib(minFree)} MiB needed`, {
      hint: 'Free some space there, or choose another output folder (--out).',
    });
  }
}

const mib = (bytes: number) => Math.floor(bytes / (1024 * 1024));

/**
 * Makes the run folder and writes the first run.json (status `running`). Call it before
 * any case runs: an output folder that cannot be written (or is nearly full) fails here,
 * not after an hour; the run folder it made is removed again then.
 */
export async function createRun(outDir: string, init: NewRun, check: WritableCheck = {}): Promise<StoredRun> {
  const startedAt = init.startedAt ?? new Date().toISOString();
  try {
    await mkdir(outDir, { recursive: true });
    await access(outDir, constants.W_OK);
  } catch (e) {
    throw outDirError(outDir, e);
  }
  for (let attempt = 0; ; attempt++) {
    const id = makeRunId(init.suite.name, new Date(startedAt));
    const dir = path.join(outDir, id);
    try {
      await mkdir(dir); // not recursive: an existing folder means the id is taken
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 10) continue;
      throw outDirError(outDir, e);
    }
    try {
      await checkWritable(dir, check);
    } catch (e) {
      await rm(dir, { recursive: true, force: true }).catch(() => {});
      throw e;
    }
    const record: RunRecord = {
      format: RUN_FORMAT,
      id,
      status: 'running',
      ...init,
      startedAt,
      samplesFile: SAMPLES_FILE,
      writer: { hostname: os.hostname(), pid: process.pid },
    };
    const run: StoredRun = { id, dir, record, warnings: [] };
    await writeFile(path.join(dir, SAMPLES_FILE), '', { flag: 'wx' });
    await updateRun(run); // syncs the run folder
    await syncDir(outDir); // and the folder's own name
    return run;
  }
}

function outDirError(outDir: string, e: unknown): HvbError {
  const code = (e as NodeJS.ErrnoException).code ?? 'error';
  return new HvbError('results-dir', `cannot write results to ${outDir}: expected a writable folder, got ${code} (${(e as Error).message})`, {
    cause: e,
    hint: 'Choose another output folder, or fix the permissions of this one.',
  });
}

/**
 * Applies `change` to the record (if given) and rewrites run.json atomically. Writes are
 * queued, and each writes the record as it is when its turn comes, so the file on disk
 * always ends at the latest state.
 */
export async function updateRun(run: StoredRun, change?: (record: RunRecord) => void): Promise<void> {
  change?.(run.record);
  if (run.record.status === 'running') writing.add(run);
  await enqueue(run, () => writeFileAtomic(path.join(run.dir, RUN_FILE), runJson(run.record)));
  if (run.record.status !== 'running') writing.delete(run);
}

/** run.json's text for a record. */
const runJson = (record: RunRecord): string => `${JSON.stringify(record, null, 2)}\n`;

// The runs this process writes and that still say `running`: what a process that must exit
// now (a second Ctrl-C, a wind-down that does not end) still owes its run folders.
const writing = new Set<StoredRun>();

/**
 * For `process.on('exit')`: every run this process still writes is recorded as ended, with
 * `how` (`interrupted` after a signal, `failed` otherwise) and `reason`, in run.json written
 * synchronously; its scratch disks and the temporary files of run.json writes that will never
 * finish are removed. Its cases keep their state (`pending` ones are what `--resume` runs
 * again). Returns the folders written; a folder that cannot be written is skipped (this is
 * the last thing the process does).
 */
export function abandonRunsSync(how: 'interrupted' | 'failed', reason: string): string[] {
  const done: string[] = [];
  for (const run of writing) {
    try {
      rmSync(path.join(run.dir, SCRATCH_DIR), { recursive: true, force: true });
      const runFile = path.join(run.dir, RUN_FILE);
      for (const f of readdirSync(run.dir)) if (isOwnTempFileOf(f, runFile)) rmSync(path.join(run.dir, f), { force: true });
      // A run that ended just now has its last state written, whose asynchronous write may not have landed.
      if (run.record.status === 'running') {
        run.record.status = how;
        run.record.endedAt = new Date().toISOString();
        run.record.error = { message: reason, code: how === 'interrupted' ? 'interrupted' : 'exited' };
      }
      writeFileAtomicSync(runFile, runJson(run.record));
      done.push(run.dir);
    } catch {
      // Nothing better to do on the way out: `clean` finds a run left `running` by a process that is gone.
    }
  }
  writing.clear();
  return done;
}

/** Sets the final status and end time, and writes run.json. */
export async function finishRun(run: StoredRun, status: Exclude<RunRecord['status'], 'running'>, error?: RunRecord['error']): Promise<void> {
  await updateRun(run, (r) => {
    r.status = status;
    r.endedAt = new Date().toISOString();
    if (error) r.error = error;
  });
}

/**
 * Opens a run by folder, or by bare id under `resultsDir` (default `results`).
 * run.json is validated, and every file it names must be inside the run folder (a
 * symbolic link out of it is refused; `forWriting` refuses a linked run folder too); a run left `running` by a process that no longer exists on
 * this host is reported in `warnings` (it was cut short); the files are not changed.
 */
export async function openRun(dirOrId: string, options: { resultsDir?: string; forWriting?: boolean } = {}): Promise<StoredRun> {
  const dir = await locateRun(dirOrId, options.resultsDir ?? DEFAULT_RESULTS_DIR);
  if (options.forWriting) await checkRealFolder(dir, 'the run folder');
  const file = path.join(dir, RUN_FILE);
  await checkRunFile(dir, RUN_FILE, 'run.json');
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new HvbError('run-invalid', `${file}: not readable as JSON: ${(e as Error).message}`, { cause: e });
  }
  const parsed = runRecordSchema.safeParse(value);
  if (!parsed.success) {
    throw new HvbError('run-invalid', `${file}: ${describeIssues(parsed.error)}`, {
      hint: 'The file was changed by hand or written by an incompatible hvbench version.',
    });
  }
  const record = asRunRecord(parsed.data);
  // Names in run.json are plain names (the schema); the files they name must not lead out either.
  await checkRunFile(dir, record.samplesFile, 'samplesFile');
  for (const [i, r] of (record.resumes ?? []).entries()) {
    if (r.samplesSetAsideFile) await checkRunFile(dir, r.samplesSetAsideFile, `resumes[${i}].samplesSetAsideFile`);
  }
  await checkRunSubfolder(dir, LOGS_DIR);
  const warnings: string[] = [];
  const writer = record.writer as Partial<RunRecord['writer']> | undefined;
  if (record.status === 'running' && writer?.hostname === os.hostname() && !processAlive(writer.pid)) {
    warnings.push(`${file}: the run says "running" but its process (${writer.pid}) is gone: it was cut short; the samples measured before that are kept`);
  }
  return { id: record.id, dir, record, warnings };
}

async function locateRun(dirOrId: string, resultsDir: string): Promise<string> {
  const candidates = [dirOrId];
  if (!dirOrId.includes('/') && !dirOrId.includes(path.sep)) candidates.push(path.join(resultsDir, dirOrId));
  for (const dir of candidates) {
    const info = await stat(path.join(dir, RUN_FILE)).catch(() => undefined);
    if (info?.isFile()) return dir;
  }
  throw new HvbError('run-not-found', `${dirOrId}: no run found (looked for ${candidates.map((d) => path.join(d, RUN_FILE)).join(' and ')})`, {
    hint: `Give a run folder, or a run id such as 20250314-092653-quick-1f3a from ${resultsDir}/.`,
  });
}

/** Whether a process with this pid exists on this machine (a run.json's writer pid may be anything). */
export function processAlive(pid: unknown): boolean {
  return typeof pid === 'number' && processExists(pid);
}
