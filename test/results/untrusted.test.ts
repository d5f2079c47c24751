import { mkdir, mkdtemp, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isInside } from '../../src/results/confine.ts';
import { isRunId } from '../../src/results/run-id.ts';
import { appendSamples, readSamples } from '../../src/results/samples-file.ts';
import { createRun, openRun } from '../../src/results/store.ts';
import { METRIC_NAME, RUN_FILE_NAME } from '../../src/results/validate.ts';
import { normaliseZero, sampleValueProblem } from '../../src/results/value-range.ts';
import { newRun, sample } from './fixtures.ts';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'hvbench-untrusted-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

async function rewrite(dir: string, change: (r: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(dir, 'run.json');
  const r = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  change(r);
  await writeFile(file, JSON.stringify(r));
}

describe('names from run.json', () => {
  it('run ids are strict: date, time, a suite name, 4 hex digits', () => {
    expect(isRunId('20260101-080000-quick-1f3a')).toBe(true);
    for (const bad of [
      '../../x',
      '20260101-080000-quick-1f3a/..',
      '20260101-080000-Quick-1f3a',
      '20260101-080000--1f3a',
      `20260101-080000-${'a'.repeat(65)}-1f3a`,
      '20260101-080000-quick-1f3a\n',
    ])
      expect(isRunId(bad), bad).toBe(false);
  });

  it('file names are plain names or logs/<name>', () => {
    for (const ok of ['samples.jsonl', 'logs/tcg_cpu_threads=1.r1.log', 'samples.set-aside.jsonl']) expect(RUN_FILE_NAME.test(ok), ok).toBe(true);
    for (const bad of ['../x', '/etc/passwd', 'logs/../x', 'a/b', '.hidden', 'logs/.x', '..', '', 'x\u0000y']) expect(RUN_FILE_NAME.test(bad), bad).toBe(false);
  });

  it('metric names cannot be paths', () => {
    for (const ok of ['cpu.events_per_s', 'micro.timer_latency_min_us', 'a:b-c']) expect(METRIC_NAME.test(ok), ok).toBe(true);
    for (const bad of ['../x', 'a/b', '..', '.', '', 'cpu x', '<script>']) expect(METRIC_NAME.test(bad), bad).toBe(false);
  });

  it('isInside', () => {
    expect(isInside('/a/b', '/a/b/c')).toBe(true);
    expect(isInside('/a/b', '/a/b')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a')).toBe(false);
  });

  it('openRun refuses a samplesFile out of the folder, naming the field', async () => {
    const run = await createRun(out, newRun());
    await rewrite(run.dir, (r) => (r.samplesFile = '../victim'));
    await expect(openRun(run.dir)).rejects.toMatchObject({
      code: 'run-invalid',
      message: expect.stringContaining('run.json: samplesFile: expected the samples file'),
    });
  });

  it('openRun refuses a samples file linked out of the folder, and accepts one linked inside it', async () => {
    const run = await createRun(out, newRun());
    await writeFile(path.join(out, 'victim'), 'secret\n');
    await unlink(path.join(run.dir, 'samples.jsonl'));
    await symlink(path.join(out, 'victim'), path.join(run.dir, 'samples.jsonl'));
    await expect(openRun(run.dir)).rejects.toMatchObject({ code: 'run-invalid', message: expect.stringContaining('samplesFile is a symbolic link to') });
    await unlink(path.join(run.dir, 'samples.jsonl'));
    await writeFile(path.join(run.dir, 'real.jsonl'), '');
    await symlink('real.jsonl', path.join(run.dir, 'samples.jsonl'));
    await expect(openRun(run.dir)).resolves.toBeDefined();
  });

  it('openRun forWriting refuses a run folder that is a link', async () => {
    const run = await createRun(out, newRun());
    await mkdir(path.join(out, 'elsewhere'));
    await symlink(run.dir, path.join(out, 'elsewhere', 'run'));
    await expect(openRun(path.join(out, 'elsewhere', 'run'))).resolves.toBeDefined();
    await expect(openRun(path.join(out, 'elsewhere', 'run'), { forWriting: true })).rejects.toMatchObject({
      code: 'run-invalid',
      message: expect.stringContaining('the run folder is a symbolic link'),
    });
  });
});

describe('sample values', () => {
  it('the range a metric can have', () => {
    expect(sampleValueProblem(0, 'cpu.events_per_s')).toBeUndefined();
    expect(sampleValueProblem(412.7, 'cpu.events_per_s')).toBeUndefined();
    expect(sampleValueProblem(1e15, 'cpu.events_per_s')).toBeUndefined();
    expect(sampleValueProblem(1e-15, 'cpu.events_per_s')).toBeUndefined();
    expect(sampleValueProblem(1e308, 'cpu.events_per_s')).toMatch(/above/);
    expect(sampleValueProblem(5e-324, 'cpu.events_per_s')).toMatch(/below/);
    expect(sampleValueProblem(-1, 'cpu.events_per_s')).toMatch(/negative/);
    expect(sampleValueProblem(Number.NaN, 'cpu.events_per_s')).toMatch(/not a finite/);
    expect(Object.is(normaliseZero(-0), 0)).toBe(true);
  });

  it('a signed reading (clock drift) may be negative, within the same bounds of size', () => {
    expect(sampleValueProblem(-649.5, 'guest.clock_drift_ppm')).toBeUndefined();
    expect(sampleValueProblem(-1e308, 'guest.clock_drift_ppm')).toMatch(/above/);
    expect(sampleValueProblem(-5e-324, 'guest.clock_drift_ppm')).toMatch(/below/);
  });

  it('are refused when written, writing none of the batch', async () => {
    const run = await createRun(out, newRun());
    await expect(appendSamples(run, [sample(1), sample(1e308, { rep: 2 })])).rejects.toMatchObject({
      code: 'sample-invalid',
      message: expect.stringContaining('sample 1 (metric "cpu.events_per_s"): value 1e+308 is above'),
    });
    expect(await readFile(path.join(run.dir, 'samples.jsonl'), 'utf8')).toBe('');
  });

  it('are left out when read, with a warning naming the file and line; −0 reads as 0', async () => {
    const run = await createRun(out, newRun());
    const file = path.join(run.dir, 'samples.jsonl');
    const line = (value: string, rep: number) => JSON.stringify(sample(1, { rep, run: run.id })).replace('"value":1', `"value":${value}`);
    await writeFile(file, `${[line('1e308', 1), line('-0', 2), line('5e-324', 3), line('7', 4)].join('\n')}\n`);
    const read = await readSamples(run);
    expect(read.samples.map((s) => s.value)).toEqual([0, 7]);
    expect(Object.is(read.samples[0]!.value, 0)).toBe(true);
    expect(read.warnings).toEqual([
      `${file} line 1: left out: metric cpu.events_per_s: value 1e+308 is above 1000000000000000, more than any metric can measure`,
      `${file} line 3: left out: metric cpu.events_per_s: value 5e-324 is below 1e-15 (and not 0), finer than any metric can measure`,
    ]);
  });
});

describe('duplicates and missing files', () => {
  it('a second sample of the same run, case, rep and metric is left out with a warning, never pooled', async () => {
    const run = await createRun(out, newRun());
    await appendSamples(run, [sample(1, { run: run.id, rep: 1 }), sample(2, { run: run.id, rep: 2 })]);
    await appendSamples(run, [sample(3, { run: run.id, rep: 1 })]);
    const read = await readSamples(run);
    expect(read.samples.map((s) => s.value)).toEqual([1, 2]);
    expect(read.warnings).toEqual([
      `${path.join(run.dir, 'samples.jsonl')} line 3: left out: a second sample of run ${run.id}, case tcg/cpu/threads=1, rep 1, metric cpu.events_per_s (the first is line 1); samples are never pooled`,
    ]);
  });

  it('a missing samples file is an error naming it', async () => {
    const run = await createRun(out, newRun());
    await unlink(path.join(run.dir, 'samples.jsonl'));
    await expect(readSamples(await openRun(run.dir))).rejects.toMatchObject({
      code: 'samples-invalid',
      message: `${path.join(run.dir, 'samples.jsonl')}: missing: the run folder has no samples file (samples.jsonl, named by run.json's samplesFile)`,
    });
  });
});
