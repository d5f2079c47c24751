import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearCrashedRun, findCrashedRuns } from '../../src/results/crashed-runs.ts';
import { SCRATCH_DIR } from '../../src/results/scratch-dir.ts';
import { createRun, updateRun, type StoredRun } from '../../src/results/store.ts';
import type { SkippedLeftover } from '../../src/util/not-mine.ts';
import { newRun } from './fixtures.ts';

/** A pid that named a process a moment ago and names none now. */
const gonePid = () => spawnSync(process.execPath, ['-e', '']).pid;

describe('crashed runs', () => {
  let root: string;
  let results: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'hvb-crashed-'));
    results = join(root, 'results');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** A run left `running` by a process that is gone. */
  const crashed = async (): Promise<StoredRun & { writerPid: number }> => {
    const run = await createRun(results, newRun());
    const writerPid = gonePid();
    await updateRun(run, (r) => (r.writer.pid = writerPid));
    return { ...run, writerPid };
  };

  it('finds a run whose writer is gone, with its scratch folder; a live one is not one', async () => {
    const run = await crashed();
    await mkdir(join(run.dir, SCRATCH_DIR));
    await writeFile(join(run.dir, SCRATCH_DIR, 'disk-0.img'), '');
    await createRun(results, newRun({ startedAt: '2025-03-15T09:26:53.123Z' })); // this process writes it
    const skipped: SkippedLeftover[] = [];
    expect(await findCrashedRuns(results, skipped)).toEqual([{ dir: run.dir, id: run.id, writerPid: run.writerPid, scratch: join(run.dir, SCRATCH_DIR) }]);
    expect(skipped).toEqual([]);
    expect(await findCrashedRuns(join(root, 'missing'), skipped)).toEqual([]);
  });

  it('clearing one removes its scratch disks and marks it interrupted', async () => {
    const run = await crashed();
    await mkdir(join(run.dir, SCRATCH_DIR));
    const [found] = await findCrashedRuns(results, []);
    expect(await clearCrashedRun(found!)).toEqual({ removed: [`scratch disks ${join(run.dir, SCRATCH_DIR)}`, `run ${run.dir}: marked interrupted`] });
    expect(existsSync(join(run.dir, SCRATCH_DIR))).toBe(false);
    const record = JSON.parse(await readFile(join(run.dir, 'run.json'), 'utf8'));
    expect(record.status).toBe('interrupted');
    expect(record.error).toEqual({ message: `cut short: its process ${run.writerPid} was gone (found by hvbench clean)`, code: 'crashed' });
  });

  it('follows no link: a linked run folder or scratch folder is skipped with the reason', async () => {
    const run = await crashed();
    const elsewhere = join(root, 'elsewhere');
    await mkdir(elsewhere);
    await symlink(elsewhere, join(run.dir, SCRATCH_DIR));
    const outside = join(root, 'outside');
    await mkdir(outside);
    await writeFile(join(outside, 'run.json'), '{}');
    await symlink(outside, join(results, 'linked'));
    const skipped: SkippedLeftover[] = [];
    expect(await findCrashedRuns(results, skipped)).toEqual([]);
    const byWhat = (a: SkippedLeftover, b: SkippedLeftover) => a.what.localeCompare(b.what);
    expect([...skipped].sort(byWhat)).toEqual(
      [
        { what: `run ${join(results, 'linked')}`, why: `it is a symbolic link (to ${outside}); links are not followed out of ${results}` },
        { what: `run ${run.dir}`, why: `its ${SCRATCH_DIR} is a symbolic link, not the scratch folder hvbench makes; nothing is followed or removed` },
      ].sort(byWhat),
    );
  });

  it("leaves another user's run alone, saying whose", async () => {
    const run = await crashed();
    if (process.getuid?.() !== 0) return; // only root can give a folder away
    await chown(run.dir, 65534, 65534);
    const skipped: SkippedLeftover[] = [];
    expect(await findCrashedRuns(results, skipped)).toEqual([]);
    expect(skipped).toEqual([{ what: `run ${run.dir}`, why: 'belongs to user 65534, not to the user running hvbench (0)' }]);
  });

  it('says why it could not clear a run whose scratch folder became a link', async () => {
    const run = await crashed();
    await mkdir(join(run.dir, SCRATCH_DIR));
    const [found] = await findCrashedRuns(results, []);
    await rm(join(run.dir, SCRATCH_DIR), { recursive: true });
    await symlink(root, join(run.dir, SCRATCH_DIR));
    expect(await clearCrashedRun(found!)).toEqual({ removed: [], problem: `${run.dir}: ${join(run.dir, SCRATCH_DIR)} is no longer a folder; left alone` });
    expect(existsSync(join(root, 'results'))).toBe(true);
  });
});
