import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRun } from '../../src/results/store.ts';
import { prepareResume } from '../../src/runner/resume.ts';
import type { Case } from '../../src/suite/types.ts';
import { REAL_RUNS } from '../support/real-runs.ts';

// `--resume` of a density case, on the real native/tcg density run: the stopping rule's kept
// values are the measured guests' mean per repetition, as when the case ran, not one guest's.
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('resuming a density case', () => {
  it("keeps, per repetition, the mean of its guests' stop metric", async () => {
    const work = await mkdtemp(join(tmpdir(), 'hvb-resume-density-'));
    dirs.push(work);
    const dir = join(work, 'run');
    await cp(join(REAL_RUNS, 'density-native-tcg'), dir, { recursive: true });
    const record = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'));
    const id = 'tcg/cpu/guests=2,maxPrime=10000,threads=1,timeSec=5';
    record.status = 'interrupted';
    const c = record.cases.find((x: { id: string }) => x.id === id);
    c.status = 'failed';
    await writeFile(join(dir, 'run.json'), JSON.stringify(record));
    const samples = (await readFile(join(dir, 'samples.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { metric: string; value: number; dims: Record<string, unknown> });
    const guests = (rep: number) => samples.filter((s) => s.dims.case === id && s.dims.rep === rep && s.metric === 'cpu.events_per_s').map((s) => s.value);
    expect(guests(1)).toHaveLength(2);

    const cases = record.cases.map((x: { id: string }) => ({ id: x.id }) as Case);
    const state = await prepareResume(await openRun(dir), cases, () => 'cpu.events_per_s');
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(state.kept.get(id)).toEqual([mean(guests(1)), mean(guests(2)), mean(guests(3))]);
  });
});
