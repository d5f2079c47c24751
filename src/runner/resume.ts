import os from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CaseRecord, ErrorInfo, ResumeRecord, RunRecord } from '../results/run-record.ts';
import type { Sample } from '../results/sample.ts';
import { SET_ASIDE_FILE, setAsideSamples } from '../results/samples-file.ts';
import { checkWritable, processAlive, updateRun, type StoredRun, type WritableCheck } from '../results/store.ts';
import { sampleSchema } from '../results/validate.ts';
import type { Case, ResolvedSuite } from '../suite/types.ts';
import { HvbError } from '../util/errors.ts';

/**
 * `hvbench run --resume <run>`: finish a run that was interrupted, failed or cut short.
 *
 * The rule: a case whose status is `completed` is kept as it is. Every other case runs
 * again, keeping its complete measured repetitions: repetitions 1..k, where k is the
 * record's `repetitionsDone` (written after the repetition's samples, so its samples are
 * on disk) and every one of them has samples in the file. The new repetitions are numbered
 * k+1, k+2, …. Whatever else the file holds for such a case — a repetition that failed or
 * was interrupted, or one whose samples were written just before a crash but not yet
 * counted — is moved to `samples.set-aside.jsonl`: no sample is deleted, and
 * `samples.jsonl` holds every repetition of a case exactly once.
 */

/** What a resumed run takes over from before. */
export interface ResumeState {
  run: StoredRun;
  /** Cases kept as they were (completed): not run again. */
  done: Set<string>;
  /** For each case run again: the stop metric's value of each kept repetition (1..k). */
  kept: Map<string, number[]>;
  /** The next position in the run's order (`seq`), after every one used before. */
  nextSeq: number;
}

/** Resolves a JSON value with object keys sorted, for comparing two suites. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * Checks that the suite resolved again (with the run's recorded overrides applied) is the
 * one the run recorded; throws `resume-mismatch` naming the fields that differ.
 */
export function checkResumeSuite(fresh: ResolvedSuite, record: RunRecord, file: string): void {
  const now = canonical(JSON.parse(JSON.stringify(fresh))) as Record<string, unknown>;
  const then = canonical(record.suite.resolved) as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(now), ...Object.keys(then)])].sort().filter((k) => JSON.stringify(now[k]) !== JSON.stringify(then[k]));
  if (fields.length === 0) return;
  throw new HvbError('resume-mismatch', `${file} does not resolve to the suite of run ${record.id}: ${fields.map((f) => `${f} differs`).join(', ')}`, {
    hint: 'Resume with the suite file the run was made from, unchanged; to run a changed suite, start a new run.',
  });
}

/** The run's cases, in its order, taken from the suite's expansion; a case the suite no longer has is `resume-mismatch`. */
export function casesToResume(record: RunRecord, expanded: readonly Case[]): Case[] {
  const byId = new Map(expanded.map((c) => [c.id, c]));
  const missing = record.cases.filter((r) => !byId.has(r.id)).map((r) => r.id);
  if (missing.length > 0) {
    throw new HvbError('resume-mismatch', `the suite has no case ${missing.join(', ')} of run ${record.id}`, {
      hint: 'Resume with the suite file the run was made from, unchanged.',
    });
  }
  return record.cases.map((r) => byId.get(r.id) as Case);
}

/** The cases of a run that `--resume` would run again. */
export function casesLeft(record: RunRecord): CaseRecord[] {
  return record.cases.filter((c) => c.status !== 'completed');
}

/**
 * Makes a stored run ready to go on: refuses a run another live process still writes,
 * checks the folder takes data, sets aside the samples of unfinished repetitions, resets the
 * cases to run again to `pending` with their kept repetitions, and records the resume. The
 * run is `running` again, written by this process.
 */
export async function prepareResume(
  run: StoredRun,
  cases: readonly Case[],
  stopMetricOf: (c: Case) => string,
  check: WritableCheck = {},
): Promise<ResumeState> {
  const record = run.record;
  assertNotBusy(run);
  if (cases.length !== record.cases.length || cases.some((c, i) => c.id !== record.cases[i]!.id)) {
    throw new HvbError('resume-mismatch', `the cases given do not match those of run ${record.id}`);
  }
  await checkWritable(run.dir, check);

  const again = new Map(casesLeft(record).map((r) => [r.id, r]));
  const all = await readAllSamples(run);
  // Repetitions kept per case run again: 1..k, each with samples on disk.
  const keptReps = new Map<string, number>();
  for (const [id, r] of again) {
    const present = new Set(all.filter((s) => s.dims.case === id).map((s) => s.dims.rep));
    let k = 0;
    while (k < r.repetitionsDone && present.has(k + 1)) k++;
    keptReps.set(id, k);
  }
  const { kept: keptSamples, setAside } = await setAsideSamples(run, (s) => {
    if (!s) return false;
    const k = keptReps.get(String(s.dims.case));
    if (k === undefined) return true;
    return typeof s.dims.rep === 'number' && Number.isInteger(s.dims.rep) && s.dims.rep >= 1 && s.dims.rep <= k;
  });

  const kept = new Map<string, number[]>();
  for (const c of cases) {
    const k = keptReps.get(c.id);
    if (k === undefined) continue;
    const metric = stopMetricOf(c);
    const values: number[] = [];
    for (let rep = 1; rep <= k; rep++) {
      // A density case has one sample per measured guest: its stop value is their mean, as when it ran.
      const mine = keptSamples.filter((s) => s.dims.case === c.id && s.dims.rep === rep && s.metric === metric).map((s) => s.value);
      values.push(mine.length === 0 ? Number.NaN : mine.reduce((a, b) => a + b, 0) / mine.length);
    }
    kept.set(c.id, values);
  }
  const seqs = [...all.map((s) => s.dims.seq), ...record.cases.flatMap((c) => c.usage.map((u) => u.seq))].filter((x): x is number => typeof x === 'number');
  const nextSeq = seqs.length === 0 ? 0 : Math.max(...seqs) + 1;

  const writer = { hostname: os.hostname(), pid: process.pid };
  const entry: ResumeRecord = {
    at: new Date().toISOString(),
    writer,
    previousStatus: record.status,
    cases: again.size,
    repetitionsKept: [...keptReps.values()].reduce((a, b) => a + b, 0),
    samplesSetAside: setAside,
    ...(setAside > 0 ? { samplesSetAsideFile: SET_ASIDE_FILE } : {}),
    previous: [...again.values()].map((r) => ({
      id: r.id,
      status: r.status,
      repetitionsDone: r.repetitionsDone,
      ...(r.error ? { error: r.error as ErrorInfo } : {}),
    })),
  };
  await updateRun(run, (r) => {
    r.status = 'running';
    delete r.endedAt;
    delete r.error;
    r.writer = writer;
    (r.resumes ??= []).push(entry);
    for (const c of r.cases) {
      const k = keptReps.get(c.id);
      if (k === undefined) continue;
      c.status = 'pending';
      c.repetitionsDone = k;
      delete c.error;
      delete c.guestLogTail;
      delete c.endedAt;
    }
  });
  run.warnings = [];
  return { run, done: new Set(record.cases.filter((c) => !keptReps.has(c.id)).map((c) => c.id)), kept, nextSeq };
}

/** A run is busy while it says `running` and its writer may still be alive. */
function assertNotBusy(run: StoredRun): void {
  const { status, writer } = run.record;
  if (status !== 'running') return;
  if (writer?.hostname !== os.hostname()) {
    throw new HvbError(
      'run-busy',
      `run ${run.id} says "running" and was written on host ${writer?.hostname ?? 'unknown'}: whether it still runs cannot be told from here`,
      {
        hint: 'Resume it on the host that wrote it.',
      },
    );
  }
  if (writer.pid !== process.pid && processAlive(writer.pid)) {
    throw new HvbError('run-busy', `run ${run.id} is still being written by process ${writer.pid}`, {
      hint: 'Wait for it to end, or stop it (Ctrl-C), then resume.',
    });
  }
}

/** Every valid sample line of the run, skipping what is not (a line cut short). */
async function readAllSamples(run: StoredRun): Promise<Sample[]> {
  const text = await readFile(path.join(run.dir, run.record.samplesFile), 'utf8').catch((e: NodeJS.ErrnoException) =>
    e.code === 'ENOENT' ? '' : Promise.reject(e),
  );
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = sampleSchema.safeParse(JSON.parse(line));
      if (parsed.success) samples.push(parsed.data);
    } catch {
      // cut short
    }
  }
  return samples;
}
