import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { HvbError } from '../util/errors.ts';
import { checkRunFile } from './confine.ts';
import { label, mergeProblems, type ShardRun } from './merge-check.ts';
import type { BackendFacts, CaseRecord, MergedShard, NewRun, RunRecord, RunStatus } from './run-record.ts';
import type { Sample } from './sample.ts';
import { appendSamples, readSamples, SET_ASIDE_FILE } from './samples-file.ts';
import { createRun, LOGS_DIR, type StoredRun, updateRun, type WritableCheck } from './store.ts';

/**
 * `hvbench merge`: one run made of the shards of a split suite (`run --shard i/N`), so that
 * compare, report and history read it like any run. Its cases are in the suite's order; its
 * samples are every shard's, unchanged but for their `run` dimension, which names the merged
 * run; each shard's provenance (its run id, status, start and end, hvbench, writer, hosts with
 * their facts and host state, cases, resumes) stays in `merged.shards`. The shards' guest logs
 * and set-aside samples are copied; the shard folders are left as they are.
 */

export interface MergeResult {
  run: StoredRun;
  /** Samples written to the merged run. */
  samples: number;
  /** What reading the shards found (a damaged last line, a log that is a link), and the shards' own warnings. */
  warnings: string[];
}

/** Refuses, naming every difference, unless `runs` are the finished shards of one split; then writes the merged run under `outDir`. */
export async function mergeShards(runs: readonly StoredRun[], outDir: string, check: WritableCheck = {}): Promise<MergeResult> {
  const problems = mergeProblems(runs);
  if (problems.length > 0) {
    throw new HvbError('merge-mismatch', `cannot merge these ${runs.length} run(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`, {
      hint: 'Merge the runs of one `hvbench run --shard i/N` split: every shard once, of the same suite, options, guest image and hvbench.',
    });
  }
  const shards = [...(runs as readonly ShardRun[])].sort((a, b) => a.record.shard.index - b.record.shard.index);
  const warnings = shards.flatMap((r) => r.warnings);
  const read = await Promise.all(shards.map((r) => readSamples(r)));
  for (const r of read) warnings.push(...r.warnings);
  const first = shards[0]!.record;
  const init: NewRun = {
    startedAt: shards.map((r) => r.record.startedAt).sort()[0]!,
    suite: first.suite,
    hvbench: { ...first.hvbench, ...(shards.some((r) => r.record.hvbench.dirty) ? { dirty: true } : {}) },
    hosts: shards.flatMap((r) => r.record.hosts),
    ...(first.image ? { image: first.image } : {}),
    backends: unique(shards.flatMap((r) => r.record.backends)),
    cases: casesInSuiteOrder(shards),
    ...retriesOf(shards),
  };
  const run = await createRun(outDir, init, check);
  warnings.push(...(await copyLogs(shards, run)));
  await copySetAside(shards, run);
  const samples = read.flatMap((r) => r.samples.map((s): Sample => ({ ...s, dims: { ...s.dims, run: run.id } })));
  await appendSamples(run, samples);
  const status = statusOf(shards);
  const failed = shards.find((r) => r.record.status === status && r.record.error);
  const ends = shards.map((r) => r.record.endedAt);
  await updateRun(run, (r) => {
    r.status = status;
    if (ends.every((e) => e !== undefined)) r.endedAt = ends.sort().at(-1)!;
    if (status !== 'completed' && failed?.record.error) r.error = { ...failed.record.error, message: `${label(failed)}: ${failed.record.error.message}` };
    r.merged = { at: new Date().toISOString(), shards: shards.map((s, i) => provenanceOf(s, read[i]!.samples.length)) };
  });
  return { run, samples: samples.length, warnings };
}

/** Each shard's cases put back at their places in the suite's order (merge-check proved the places cover every case once). */
function casesInSuiteOrder(shards: readonly ShardRun[]): CaseRecord[] {
  const cases: CaseRecord[] = new Array(shards[0]!.record.shard.of.cases);
  for (const r of shards) {
    for (const [k, p] of r.record.shard.positions.entries()) cases[p] = r.record.cases[k]!;
  }
  return cases;
}

/** A merged run failed when a shard failed, else was interrupted when one was; completed when all were. */
function statusOf(shards: readonly ShardRun[]): Exclude<RunStatus, 'running'> {
  const all = shards.map((r) => r.record.status);
  return all.includes('failed') ? 'failed' : all.includes('interrupted') ? 'interrupted' : 'completed';
}

function provenanceOf(r: ShardRun, samples: number): MergedShard {
  const x = r.record;
  return {
    index: x.shard.index,
    run: x.id,
    status: x.status,
    startedAt: x.startedAt,
    ...(x.endedAt ? { endedAt: x.endedAt } : {}),
    hvbench: x.hvbench,
    writer: x.writer,
    hosts: x.hosts,
    cases: x.cases.map((c) => c.id),
    samples,
    ...(x.error ? { error: x.error } : {}),
    ...(x.resumes?.length ? { resumes: x.resumes.map((res) => (res.samplesSetAsideFile ? { ...res, samplesSetAsideFile: SET_ASIDE_FILE } : res)) } : {}),
  };
}

function retriesOf(shards: readonly ShardRun[]): Pick<RunRecord, 'retries'> {
  const retries = shards.flatMap((r) => r.record.retries ?? []);
  return retries.length > 0 ? { retries } : {};
}

/** Backend records that are the same on two shards (one probe result per host name) are kept once. */
function unique(backends: readonly BackendFacts[]): BackendFacts[] {
  const seen = new Set<string>();
  return backends.filter((b) => {
    const key = JSON.stringify(b);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Copies every regular file of each shard's `logs/` into the merged run's (cases are disjoint,
 * so are their log names). A link or a name already taken is left out with a warning: a run
 * folder is untrusted input, and nothing is read through a link.
 */
async function copyLogs(shards: readonly ShardRun[], run: StoredRun): Promise<string[]> {
  const warnings: string[] = [];
  const into = path.join(run.dir, LOGS_DIR);
  for (const r of shards) {
    const from = path.join(r.dir, LOGS_DIR);
    const names = await readdir(from).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)));
    if (names.length === 0) continue;
    await mkdir(into, { recursive: true });
    for (const name of names.sort()) {
      const file = path.join(from, name);
      const info = await lstat(file);
      if (!info.isFile()) {
        warnings.push(`${file}: left out of the merged run: not a regular file`);
        continue;
      }
      await copyFile(file, path.join(into, name), constants.COPYFILE_EXCL).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e;
        warnings.push(`${file}: left out of the merged run: another shard has a log of the same name`);
      });
    }
  }
  return warnings;
}

/** The samples each shard set aside when it was resumed, one after the other in the merged run's set-aside file. */
async function copySetAside(shards: readonly ShardRun[], run: StoredRun): Promise<void> {
  const parts: string[] = [];
  for (const r of shards) {
    if (!r.record.resumes?.some((res) => res.samplesSetAsideFile)) continue;
    await checkRunFile(r.dir, SET_ASIDE_FILE, 'the set-aside samples file');
    const text = await readFile(path.join(r.dir, SET_ASIDE_FILE), 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
    if (text !== '') parts.push(text.endsWith('\n') ? text : `${text}\n`);
  }
  if (parts.length > 0) await writeFileAtomic(path.join(run.dir, SET_ASIDE_FILE), parts.join(''));
}
