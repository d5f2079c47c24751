import { describeError } from '../../util/errors.ts';
import type { IndexedRun } from './query.ts';

/**
 * Which runs of a results folder count, for every reader of many runs (history, export), from
 * the folders or from the index alike: a folder refused is left out; so is a second folder
 * with the same run id (a `cp -r` backup: the first folder by name counts, never pooled with
 * the other), and a shard whose merged run (`hvbench merge`) is in the folder too (its samples
 * count once, in the merged run). Each with a warning, in folder order, the shards' last.
 */

/** A folder as the reader found it: a run (its id), or why it was refused. */
export interface FolderEntry {
  dir: string;
  id?: string;
  /** Run ids of the shards this run was merged from. */
  mergedShards: readonly string[];
  /** `<dir>: skipped: …` when the folder was refused. */
  error?: string;
}

/**
 * The runs that count, in folder order, each as `take` makes it. `take` is asked only for a
 * run that counts so far (not a copy, not refused); what it passes to `warn` is said in its
 * place, and an error it throws leaves the run out as `<dir>: skipped: …`.
 */
export async function countRuns<E extends FolderEntry, T>(
  entries: Iterable<E>,
  take: (entry: E, warn: (...warnings: string[]) => void) => T | Promise<T>,
): Promise<{ runs: T[]; warnings: string[] }> {
  const warnings: string[] = [];
  const warn = (...w: string[]) => void warnings.push(...w);
  const seen = new Map<string, string>();
  const mergedInto = new Map<string, string>();
  const taken: { id: string; dir: string; run: T }[] = [];
  for (const e of entries) {
    if (e.id === undefined) {
      warnings.push(e.error ?? `${e.dir}: skipped`);
      continue;
    }
    // A run id seen before is a copy, whatever else is wrong with it.
    const first = seen.get(e.id);
    if (first !== undefined) {
      warnings.push(`${e.dir}: skipped: the same run id ${e.id} as ${first} (a copy?); a run counts once`);
      continue;
    }
    seen.set(e.id, e.dir);
    for (const shard of e.mergedShards) mergedInto.set(shard, e.id);
    if (e.error !== undefined) {
      warnings.push(e.error);
      continue;
    }
    try {
      taken.push({ id: e.id, dir: e.dir, run: await take(e, warn) });
    } catch (err) {
      warnings.push(`${e.dir}: skipped: ${describeError(err)}`);
    }
  }
  for (const t of taken) if (mergedInto.has(t.id)) warnings.push(`${t.dir}: skipped: a shard of the merged run ${mergedInto.get(t.id)}, whose samples count`);
  return { runs: taken.filter((t) => !mergedInto.has(t.id)).map((t) => t.run), warnings };
}

/** The indexed runs that count, with the warnings reading their samples gave. */
export function countedRuns(runs: readonly IndexedRun[]): Promise<{ runs: IndexedRun[]; warnings: string[] }> {
  return countRuns(runs, (r, warn) => {
    warn(...r.warnings);
    return r;
  });
}
