import { lstat, readdir, readFile, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describeError } from '../util/errors.ts';
import { notMine, type SkippedLeftover } from '../util/not-mine.ts';
import { SCRATCH_DIR } from './scratch-dir.ts';
import { finishRun, openRun, processAlive, RUN_FILE } from './store.ts';

/**
 * Runs cut short without a chance to say so (SIGKILL, a power cut): run folders whose
 * run.json says `running` but whose writer on this host is gone. `clean` removes their
 * scratch disks and marks them `interrupted`, so `--resume` can take them up.
 *
 * A run folder or scratch folder that is a symbolic link is never followed (what it points to
 * is outside the results folder, and not clean's to touch), and another user's run is left
 * alone: both are listed in `skipped` with the reason.
 */
export interface CrashedRun {
  dir: string;
  id: string;
  writerPid: number;
  /** The scratch folder, when there is one. */
  scratch: string | undefined;
}

/** The crashed runs directly under `resultsDir`; what is left alone goes to `skipped`. Changes nothing. */
export async function findCrashedRuns(resultsDir: string, skipped: SkippedLeftover[]): Promise<CrashedRun[]> {
  const runs: CrashedRun[] = [];
  for (const name of await readdir(resultsDir).catch(() => [] as string[])) {
    const dir = path.join(resultsDir, name);
    const info = await lstat(dir).catch(() => undefined);
    if (!info) continue;
    if (info.isSymbolicLink()) {
      if (
        await readFile(path.join(dir, RUN_FILE)).then(
          () => true,
          () => false,
        )
      ) {
        skipped.push({
          what: `run ${dir}`,
          why: `it is a symbolic link (to ${await realpath(dir).catch(() => 'a missing folder')}); links are not followed out of ${resultsDir}`,
        });
      }
      continue;
    }
    if (!info.isDirectory()) continue;
    const runFile = await lstat(path.join(dir, RUN_FILE)).catch(() => undefined);
    if (!runFile?.isFile()) continue;
    const text = await readFile(path.join(dir, RUN_FILE), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let record: { id?: unknown; status?: unknown; writer?: { hostname?: unknown; pid?: unknown } };
    try {
      record = JSON.parse(text);
    } catch {
      continue;
    }
    const pid = record.writer?.pid;
    if (record.status !== 'running' || record.writer?.hostname !== os.hostname() || typeof pid !== 'number' || processAlive(pid)) continue;
    const foreign = notMine(info.uid);
    if (foreign) {
      skipped.push({ what: `run ${dir}`, why: foreign });
      continue;
    }
    const scratch = path.join(dir, SCRATCH_DIR);
    const scratchInfo = await lstat(scratch).catch(() => undefined);
    if (scratchInfo && (scratchInfo.isSymbolicLink() || !scratchInfo.isDirectory())) {
      skipped.push({
        what: `run ${dir}`,
        why: `its ${SCRATCH_DIR} is ${scratchInfo.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}, not the scratch folder hvbench makes; nothing is followed or removed`,
      });
      continue;
    }
    runs.push({ dir, id: String(record.id ?? name), writerPid: pid, scratch: scratchInfo ? scratch : undefined });
  }
  return runs;
}

/**
 * Removes a crashed run's scratch disks and marks it `interrupted`, checking the folder again
 * just before (a folder swapped for a link since is not followed): what was done, and why
 * not when it could not be.
 */
export async function clearCrashedRun(run: CrashedRun): Promise<{ removed: string[]; problem?: string }> {
  const removed: string[] = [];
  try {
    const stored = await openRun(run.dir, { forWriting: true });
    if (run.scratch) {
      const info = await lstat(run.scratch).catch(() => undefined);
      if (info && (info.isSymbolicLink() || !info.isDirectory())) throw new Error(`${run.scratch} is no longer a folder; left alone`);
      await rm(run.scratch, { recursive: true, force: true });
      removed.push(`scratch disks ${run.scratch}`);
    }
    await finishRun(stored, 'interrupted', { message: `cut short: its process ${run.writerPid} was gone (found by hvbench clean)`, code: 'crashed' });
    removed.push(`run ${run.dir}: marked interrupted`);
    return { removed };
  } catch (e) {
    return { removed, problem: `${run.dir}: ${describeError(e)}` };
  }
}
