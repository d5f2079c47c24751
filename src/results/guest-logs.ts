import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LOGS_DIR, type StoredRun } from './store.ts';

/**
 * Saves a guest's console log as `logs/<case id>.r<rep>.log` (characters of the id
 * that are awkward in file names become `_`). A log of that name already there (a
 * repetition run again by `run --resume`) is kept: the new one is `….r<rep>.2.log`, and so
 * on. Returns the path relative to the run folder, for the case record's `logs`.
 */
export async function writeGuestLog(run: StoredRun, caseId: string, rep: number | string, text: string): Promise<string> {
  const base = `${caseId.replace(/[^\w.=,+-]/g, '_')}.r${rep}`;
  await mkdir(path.join(run.dir, LOGS_DIR), { recursive: true });
  for (let n = 1; ; n++) {
    const rel = path.join(LOGS_DIR, n === 1 ? `${base}.log` : `${base}.${n}.log`);
    try {
      await writeFile(path.join(run.dir, rel), text, { encoding: 'utf8', flag: 'wx' });
      return rel;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 1000) throw e;
    }
  }
}
