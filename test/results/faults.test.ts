import { mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeGuestLog } from '../../src/results/guest-logs.ts';
import { appendSamples, readSamples, setAsideSamples, type SamplesHandle } from '../../src/results/samples-file.ts';
import { checkWritable, createRun } from '../../src/results/store.ts';
import { newRun, sample } from './fixtures.ts';

let out: string;
beforeEach(async () => {
  out = await mkdtemp(path.join(os.tmpdir(), 'hvbench-faults-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** A real file handle whose writes stop after `budget` bytes with ENOSPC, as on a full disk. */
async function fullAfter(file: string, budget: number): Promise<SamplesHandle> {
  const real = await open(file, 'a+');
  let left = budget;
  return new Proxy(real, {
    get(target, prop) {
      if (prop === 'write') {
        return async (buf: Buffer, offset: number, length: number) => {
          if (left <= 0) throw enospc();
          const n = Math.min(left, length);
          left -= n;
          return target.write(buf, offset, n);
        };
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as SamplesHandle;
}

describe('appendSamples on a disk that fills up', () => {
  it('cuts the file back to its last complete line and says why', async () => {
    const run = await createRun(out, newRun());
    await appendSamples(run, [sample(1), sample(2)]);
    const before = await readFile(path.join(run.dir, 'samples.jsonl'), 'utf8');
    const failing = appendSamples(run, [sample(3), sample(4)], { open: (f) => fullAfter(f, 40) });
    await expect(failing).rejects.toMatchObject({
      code: 'results-write',
      message: expect.stringMatching(/^cannot append samples to .*samples\.jsonl: ENOSPC .*; the file was cut back to its last complete line/),
    });
    expect(await readFile(path.join(run.dir, 'samples.jsonl'), 'utf8')).toBe(before);
    const read = await readSamples(run);
    expect(read.warnings).toEqual([]);
    expect(read.samples.map((s) => s.value)).toEqual([1, 2]);
    // Space again: the next batch lands on a line of its own.
    await appendSamples(run, [sample(5)]);
    expect((await readSamples(run)).samples.map((s) => s.value)).toEqual([1, 2, 5]);
  });
});

describe('setAsideSamples', () => {
  it('moves refused lines (and a line cut short) aside, keeps the rest byte for byte, and does it only once', async () => {
    const run = await createRun(out, newRun());
    await appendSamples(run, [sample(1, { rep: 1 }), sample(2, { rep: 2 }), sample(3, { rep: 1, case: 'other' })]);
    const file = path.join(run.dir, 'samples.jsonl');
    await writeFile(file, `${await readFile(file, 'utf8')}{"metric":"cut`);
    const keep = (s: { dims: Record<string, unknown> } | undefined) => s !== undefined && !(s.dims.case === 'tcg/cpu/threads=1' && s.dims.rep === 2);
    const first = await setAsideSamples(run, keep);
    expect(first.setAside).toBe(2);
    expect(first.kept.map((s) => s.value)).toEqual([1, 3]);
    const aside = await readFile(path.join(run.dir, 'samples.set-aside.jsonl'), 'utf8');
    expect(aside.split('\n')).toEqual([JSON.stringify(sample(2, { rep: 2 })), '{"metric":"cut', '']);
    // A crash after the set-aside file was written but before samples.jsonl was: the lines are in both; again gives the same files.
    await appendSamples(run, []);
    await writeFile(file, `${await readFile(file, 'utf8')}${JSON.stringify(sample(2, { rep: 2 }))}\n`);
    const second = await setAsideSamples(run, keep);
    expect(second.setAside).toBe(1);
    expect(await readFile(path.join(run.dir, 'samples.set-aside.jsonl'), 'utf8')).toBe(aside);
    expect((await readSamples(run)).samples.map((s) => s.value)).toEqual([1, 3]);
  });
});

describe('writeGuestLog', () => {
  it('never replaces a log: a repetition logged again gets the next free name', async () => {
    const run = await createRun(out, newRun());
    expect(await writeGuestLog(run, 'tcg/cpu', 2, 'first')).toBe('logs/tcg_cpu.r2.log');
    expect(await writeGuestLog(run, 'tcg/cpu', 2, 'second')).toBe('logs/tcg_cpu.r2.2.log');
    expect(await readFile(path.join(run.dir, 'logs/tcg_cpu.r2.log'), 'utf8')).toBe('first');
  });
});

describe('checkWritable', () => {
  it('writes, syncs and removes a probe, leaving the folder as it was', async () => {
    await checkWritable(out);
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses a folder on a file system with too little space, naming it; createRun leaves no run folder', async () => {
    const statfs = async () => ({ bavail: 100, bsize: 4096 });
    await expect(checkWritable(out, { statfs })).rejects.toMatchObject({
      code: 'results-dir',
      message: `cannot write results to ${out}: only 0 MiB free on its file system, at least 32 MiB needed`,
    });
    await expect(createRun(out, newRun(), { statfs })).rejects.toMatchObject({ code: 'results-dir' });
    expect(await readdir(out)).toEqual([]);
  });

  it('refuses a folder where the probe cannot be written', async () => {
    // /proc/self is writable by mode for root, yet takes no new files.
    await expect(checkWritable('/proc/self')).rejects.toMatchObject({
      code: 'results-dir',
      message: expect.stringMatching(/^cannot write results to \/proc\/self: expected a writable folder, got E/),
    });
  });
});
