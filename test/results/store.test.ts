import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeGuestLog } from '../../src/results/guest-logs.ts';
import { pendingCase } from '../../src/results/run-record.ts';
import { appendSamples, readSamples } from '../../src/results/samples-file.ts';
import { abandonRunsSync, createRun, finishRun, openRun, updateRun } from '../../src/results/store.ts';
import { newRun, sample } from './fixtures.ts';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'hvbench-store-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;

describe('createRun', () => {
  it('makes <out>/<run-id>/ with run.json and an empty samples.jsonl', async () => {
    const run = await createRun(out, newRun());
    expect(run.id).toMatch(/^20250314-092653-quick-[0-9a-f]{4}$/);
    expect(run.dir).toBe(path.join(out, run.id));
    expect((await readdir(run.dir)).sort()).toEqual(['run.json', 'samples.jsonl']);
    const json = await readJson(path.join(run.dir, 'run.json'));
    expect(json).toMatchObject({ format: 1, id: run.id, status: 'running', startedAt: '2025-03-14T09:26:53.123Z', samplesFile: 'samples.jsonl' });
    expect(json.writer).toEqual({ hostname: os.hostname(), pid: process.pid });
  });

  it('creates the output folder when missing', async () => {
    const run = await createRun(path.join(out, 'deeper', 'results'), newRun());
    expect(run.dir.startsWith(path.join(out, 'deeper', 'results'))).toBe(true);
  });

  it('never reuses a folder: two runs in the same second get different ids', async () => {
    const [a, b] = await Promise.all([createRun(out, newRun()), createRun(out, newRun())]);
    expect(a.id).not.toBe(b.id);
  });

  it('refuses an output folder it cannot write, before anything runs', async () => {
    const file = path.join(out, 'a-file');
    await writeFile(file, '');
    await expect(createRun(path.join(file, 'results'), newRun())).rejects.toMatchObject({
      code: 'results-dir',
      message: expect.stringMatching(new RegExp(`^cannot write results to ${file}/results: expected a writable folder, got ENOTDIR`)),
    });
  });
});

describe('updateRun', () => {
  it('rewrites run.json with the change applied', async () => {
    const run = await createRun(out, newRun());
    await updateRun(run, (r) => {
      r.cases.push({
        ...pendingCase({ id: 'tcg/boot', backend: 'tcg', workload: 'boot', params: {}, repetitions: 3, warmup: 0 }),
        status: 'completed',
        repetitionsDone: 3,
      });
    });
    const reopened = await openRun(run.dir);
    expect(reopened.record.cases).toEqual([
      { id: 'tcg/boot', backend: 'tcg', workload: 'boot', params: {}, status: 'completed', repetitions: 3, warmup: 0, repetitionsDone: 3, usage: [] },
    ]);
  });

  it('ends at the latest state when updates overlap, leaving no temporary files', async () => {
    const run = await createRun(out, newRun());
    await Promise.all(Array.from({ length: 20 }, (_, i) => updateRun(run, (r) => (r.hosts = [{ ...hostStub, memoryMiB: i }]))));
    expect((await openRun(run.dir)).record.hosts[0]!.memoryMiB).toBe(19);
    expect((await readdir(run.dir)).sort()).toEqual(['run.json', 'samples.jsonl']);
  });

  it('finishRun sets the status and end time', async () => {
    const run = await createRun(out, newRun());
    await finishRun(run, 'failed', { message: 'no backend available' });
    const { record } = await openRun(run.dir);
    expect(record).toMatchObject({ status: 'failed', error: { message: 'no backend available' } });
    expect(Date.parse(record.endedAt!)).not.toBeNaN();
  });
});

describe('samples', () => {
  it('appends lines and reads them back in order', async () => {
    const run = await createRun(out, newRun());
    await appendSamples(run, [sample(1), sample(2, { repetition: 2, lab: true })]);
    await appendSamples(run, []);
    await appendSamples(run, [sample(3)]);
    const text = await readFile(path.join(run.dir, 'samples.jsonl'), 'utf8');
    expect(text.split('\n')).toHaveLength(4); // three lines and the final newline
    const read = await readSamples(await openRun(run.dir));
    expect(read.warnings).toEqual([]);
    expect(read.samples.map((s) => s.value)).toEqual([1, 2, 3]);
    expect(read.samples[1]).toEqual(sample(2, { repetition: 2, lab: true }));
  });

  it('skips a last line cut short by a crash, with a warning', async () => {
    const run = await createRun(out, newRun());
    await appendSamples(run, [sample(1), sample(2)]);
    const file = path.join(run.dir, 'samples.jsonl');
    await appendFile(file, JSON.stringify(sample(3)).slice(0, 25));
    const read = await readSamples(run);
    expect(read.samples.map((s) => s.value)).toEqual([1, 2]);
    expect(read.warnings).toEqual([`${file} line 3: skipped an incomplete line (the run probably stopped while writing it)`]);
  });

  it('keeps appending on a new line after a cut-short line', async () => {
    const run = await createRun(out, newRun());
    await appendSamples(run, [sample(1)]);
    await appendFile(path.join(run.dir, 'samples.jsonl'), '{"metric":"cpu');
    await appendSamples(run, [sample(2)]);
    const read = await readSamples(run);
    expect(read.samples.map((s) => s.value)).toEqual([1, 2]);
    expect(read.warnings).toHaveLength(1);
  });

  it('reports a complete line that is not a sample, naming the line and field', async () => {
    const run = await createRun(out, newRun());
    const file = path.join(run.dir, 'samples.jsonl');
    await writeFile(file, `${JSON.stringify(sample(1))}\n${JSON.stringify({ ...sample(2), value: 'fast' })}\n`);
    await expect(readSamples(run)).rejects.toMatchObject({ code: 'samples-invalid', message: expect.stringContaining(`${file} line 2: value:`) });
  });

  it('refuses samples JSON cannot hold, writing none of the batch', async () => {
    const run = await createRun(out, newRun());
    await expect(appendSamples(run, [sample(1), sample(Number.NaN)])).rejects.toMatchObject({
      code: 'sample-invalid',
      message: expect.stringContaining('sample 1 (metric "cpu.events_per_s"): value:'),
    });
    expect(await readFile(path.join(run.dir, 'samples.jsonl'), 'utf8')).toBe('');
  });

  it('reads no samples from a run that has none', async () => {
    const run = await createRun(out, newRun());
    expect(await readSamples(run)).toEqual({ samples: [], warnings: [] });
  });
});

describe('openRun', () => {
  it('finds a bare run id under the results folder', async () => {
    const run = await createRun(out, newRun());
    const opened = await openRun(run.id, { resultsDir: out });
    expect(opened.dir).toBe(run.dir);
    expect(opened.record).toEqual(run.record);
    expect(opened.warnings).toEqual([]);
  });

  it('says when there is no such run', async () => {
    await expect(openRun('20250101-000000-x-0000', { resultsDir: out })).rejects.toMatchObject({ code: 'run-not-found', hint: expect.stringContaining(out) });
  });

  it('names the file and field of an invalid run.json', async () => {
    const run = await createRun(out, newRun());
    const file = path.join(run.dir, 'run.json');
    await writeFile(file, JSON.stringify({ ...run.record, status: 'done' }));
    await expect(openRun(run.dir)).rejects.toMatchObject({ code: 'run-invalid', message: expect.stringContaining(`${file}: status:`) });
  });

  it('warns about a run left "running" by a process that is gone', async () => {
    const run = await createRun(out, newRun());
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    await updateRun(run, (r) => (r.writer.pid = gone));
    const opened = await openRun(run.dir);
    expect(opened.warnings).toEqual([expect.stringContaining(`its process (${gone}) is gone`)]);
    expect(opened.record.status).toBe('running');
  });
});

describe('writeGuestLog', () => {
  it('writes logs/<case id>.r<rep>.log and returns the relative path', async () => {
    const run = await createRun(out, newRun());
    const rel = await writeGuestLog(run, 'tcg/cpu/threads=1,timeSec=5', 2, 'booting\n');
    expect(rel).toBe(path.join('logs', 'tcg_cpu_threads=1,timeSec=5.r2.log'));
    expect(await readFile(path.join(run.dir, rel), 'utf8')).toBe('booting\n');
  });
});

const hostStub = {
  name: 'local',
  hostname: 'h',
  cpuModel: 'cpu',
  cpus: 1,
  memoryMiB: 1,
  kernel: 'k',
  os: 'o',
  arch: 'x64',
  virtualization: 'none' as const,
  underHypervisor: false,
};

describe('abandonRunsSync (a process that must exit now)', () => {
  it('records a running run as interrupted, synchronously, and removes its scratch disks; a finished run is left as it ended', async () => {
    const running = await createRun(out, newRun());
    const ended = await createRun(out, newRun());
    await finishRun(ended, 'completed');
    await mkdir(path.join(running.dir, 'scratch'));
    await writeFile(path.join(running.dir, 'scratch', 'disk.img'), 'x');
    // A run.json write that will never finish: its temporary file.
    await writeFile(path.join(running.dir, `.run.json.${process.pid}.0000.tmp`), '{');
    // Queued and not awaited: the in-memory record is newer than the file.
    void updateRun(running, (r) => {
      r.cases = [pendingCase({ id: 'tcg/cpu', backend: 'tcg', workload: 'cpu', params: {}, repetitions: 3, warmup: 0 })];
    });
    const written = abandonRunsSync('interrupted', 'a second SIGINT quit hvbench at once');
    // Read before the event loop turns: on the way out there is no later.
    const json = JSON.parse(readFileSync(path.join(running.dir, 'run.json'), 'utf8'));
    const files = readdirSync(running.dir).sort();
    expect(written).toContain(running.dir);
    expect(written).not.toContain(ended.dir);
    expect(json).toMatchObject({ status: 'interrupted', error: { message: 'a second SIGINT quit hvbench at once', code: 'interrupted' } });
    expect(json.cases).toMatchObject([{ id: 'tcg/cpu', status: 'pending' }]);
    expect(typeof json.endedAt).toBe('string');
    expect(files).toEqual(['run.json', 'samples.jsonl']);
    expect((await readJson(path.join(ended.dir, 'run.json'))).status).toBe('completed');
    // Nothing is owed twice.
    expect(abandonRunsSync('failed', 'again')).toEqual([]);
  });

  it('says failed, not interrupted, when no signal came', async () => {
    const run = await createRun(out, newRun());
    abandonRunsSync('failed', 'hvbench exited (code 1) while the run was running');
    expect(await readJson(path.join(run.dir, 'run.json'))).toMatchObject({ status: 'failed', error: { code: 'exited' } });
  });
});
