import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LOGS_DIR, type StoredRun } from './store.ts';

/**
 * Saves a guest's console log as `logs/<case id>.r<rep>.log` (characters of the id
 * that are awkward in file names become `_`). Returns the path relative to the run
 * folder, for the case record's `logs`.
 */
export async function writeGuestLog(run: StoredRun, caseId: string, rep: number | string, text: string): Promise<string> {
  const name = `${caseId.replace(/[^\w.=,+-]/g, '_')}.r${rep}.log`;
  const rel = path.join(LOGS_DIR, name);
  await mkdir(path.join(run.dir, LOGS_DIR), { recursive: true });
  await writeFile(path.join(run.dir, rel), text, 'utf8');
  return rel;
}
