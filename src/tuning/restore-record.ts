import { readJsonRecords } from '../util/json-records.ts';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defaultCacheDir } from '../guest/cache.ts';
import { writeFileAtomic } from '../guest/fs-atomic.ts';
import { processStart } from '../util/proc.ts';

/**
 * What `run --stabilize` changed on a host, written under hvbench's state folder
 * (`<cache>/tuning/<pid>-<start>-<host>.json`) before the first setting is changed and
 * removed once every one is back. A run killed in between (SIGKILL, a power cut of the
 * controlling machine) leaves it, and `hvbench clean` restores the previous values from it
 * once its owner (pid and start time) is gone.
 */
export const tuningChangeSchema = z.strictObject({
  /** The profile setting (`governor`, `turbo`, `thp`). */
  setting: z.string(),
  /** The file written. */
  path: z.string(),
  /** Its value before, written back on restore. */
  previous: z.string(),
  applied: z.string(),
});
export type TuningChange = z.infer<typeof tuningChangeSchema>;

export const restoreRecordSchema = z.strictObject({
  owner: z.strictObject({ pid: z.number().int(), start: z.number().int() }),
  /** hvbench's name for the host (`local`, a hosts-file name) and its kind. */
  host: z.string(),
  hostKind: z.enum(['local', 'remote', 'lab']),
  at: z.string(),
  changes: z.array(tuningChangeSchema),
});
export type RestoreRecord = z.infer<typeof restoreRecordSchema>;

export function defaultTuningStateDir(): string {
  return join(defaultCacheDir(), 'tuning');
}

export function restoreRecordFile(stateDir: string, r: Pick<RestoreRecord, 'owner' | 'host'>): string {
  return join(stateDir, `${r.owner.pid}-${r.owner.start}-${r.host.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

export function writeRestoreRecord(stateDir: string, r: RestoreRecord): Promise<void> {
  return writeFileAtomic(restoreRecordFile(stateDir, r), `${JSON.stringify(r, null, 2)}\n`);
}

/** Synchronous, never throws: also used on the way out. */
export function removeRestoreRecord(stateDir: string, r: Pick<RestoreRecord, 'owner' | 'host'>): void {
  rmSync(restoreRecordFile(stateDir, r), { force: true });
}

/** Every readable record, and the files that are not one (named so they can be looked at). */
export function readRestoreRecords(stateDir: string): { records: RestoreRecord[]; unreadable: string[] } {
  const { records, unreadable } = readJsonRecords(stateDir, restoreRecordSchema);
  return { records, unreadable: unreadable.map((name) => join(stateDir, name)) };
}

/** Records whose owner is gone (not the same pid with the same start time): theirs to restore. */
export function orphanedRestoreRecords(stateDir: string, alive = (o: RestoreRecord['owner']) => processStart(o.pid) === o.start): RestoreRecord[] {
  return readRestoreRecords(stateDir).records.filter((r) => !alive(r.owner));
}
