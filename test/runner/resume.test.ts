import { spawnSync } from 'node:child_process';
import { symlinkSync, unlinkSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/common/backend.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import type { Sample } from '../../src/results/sample.ts';
import { openRun, type StoredRun } from '../../src/results/store.ts';
import { casesToResume, checkResumeSuite } from '../../src/runner/resume.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { fakeBackend, fakeImage, stepTranscript } from './fake-backend.ts';

const image = fakeImage();
const sysbench = (eps: number) => `    events per second:  ${eps}\n         avg:    1.00\n         95th percentile:   2.00\n`;
const deps = { workloads, backends: ['fake'] };

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'hvb-resume-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

function suiteOf(input: object) {
  const suite = resolveSuite({ name: 's', backends: ['fake'], ...input }, deps, 'suite.ts');
  return { suite, cases: expandSuite(suite, deps) };
}

function go(fake: Backend, input: object, extra: { signal?: AbortSignal; failFast?: boolean; resume?: StoredRun } = {}) {
  const { suite, cases } = suiteOf(input);
  return runSuite({ suite, suiteFile: 'suite.ts', cases, outDir: out, image, host: new LocalHost(), backends: () => fake, workloads, ...extra });
}

async function samplesOf(dir: string, file = 'samples.jsonl'): Promise<Sample[]> {
  const text = await readFile(join(dir, file), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Sample);
}

/** `case rep` of every sample of one metric, sorted: each repetition must appear exactly once. */
function repsOf(samples: Sample[], metric = 'cpu.events_per_s'): string[] {
  return samples
    .filter((s) => s.metric === metric)
    .map((s) => `${s.dims.case} r${s.dims.rep}`)
    .sort();
}

const everyRep = (threads: number[], reps: number) => threads.flatMap((t) => Array.from({ length: reps }, (_, i) => `fake/cpu/threads=${t} r${i + 1}`)).sort();

/** A pid that no process has (one that just exited). */
function deadPid(): number {
  const r = spawnSync('true');
  return r.pid as number;
}

describe('--fail-fast', () => {
  it('stops at the first failed case and records the others as not run, with the reason', async () => {
    let n = 0;
    const fake = fakeBackend((say, nonce) => {
      if (++n === 2) return { exit: { kind: 'shutdown', reason: 'guest-reset' } };
      stepTranscript(say, nonce, 'cpu', sysbench(5));
    });
    const { run } = await go(fake, { repetitions: 2, workloads: [{ workload: 'cpu', params: { threads: [1, 2, 3] } }] }, { failFast: true });
    expect(fake.launched).toHaveLength(2);
    expect(run.record.status).toBe('failed');
    expect(run.record.error).toMatchObject({ code: 'fail-fast', message: '--fail-fast: case fake/cpu/threads=1 failed (repetition 2)' });
    expect(run.record.cases.map((c) => c.status)).toEqual(['failed', 'skipped', 'skipped']);
    expect(run.record.cases[1]?.error).toMatchObject({ code: 'fail-fast', message: 'not run: --fail-fast: case fake/cpu/threads=1 failed (repetition 2)' });
    const onDisk = JSON.parse(await readFile(join(run.dir, 'run.json'), 'utf8'));
    expect(onDisk.status).toBe('failed');
  });

  it('stops at a timed-out case too; without --fail-fast the run goes on', async () => {
    const hangFirst = () => {
      let n = 0;
      return fakeBackend((say, nonce) => (++n === 1 ? { hang: true } : stepTranscript(say, nonce, 'cpu', sysbench(5))));
    };
    const input = { repetitions: 1, timeoutSec: 0.2, workloads: [{ workload: 'cpu', params: { threads: [1, 2] } }] };
    const stopped = await go(hangFirst(), input, { failFast: true });
    expect(stopped.run.record.cases.map((c) => c.status)).toEqual(['timed-out', 'skipped']);
    expect(stopped.run.record.error?.message).toBe('--fail-fast: case fake/cpu/threads=1 timed out (repetition 1)');
    const goesOn = await go(hangFirst(), input);
    expect(goesOn.run.record.cases.map((c) => c.status)).toEqual(['timed-out', 'completed']);
    expect(goesOn.run.record.status).toBe('completed');
  });
});

describe('run --resume', () => {
  const input = { repetitions: 2, workloads: [{ workload: 'cpu', params: { threads: [1, 2, 3] } }] };

  it('after Ctrl-C: keeps completed cases and repetitions, runs only the missing ones, every repetition once', async () => {
    const ac = new AbortController();
    let n = 0;
    const first = fakeBackend((say, nonce) => {
      // The 4th boot is threads=2 rep 2: interrupted after the guest said ready (its boot samples are written).
      if (++n === 4) {
        ac.abort();
        say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test`);
        return { hang: true };
      }
      stepTranscript(say, nonce, 'cpu', sysbench(100 + n));
    });
    const { run } = await go(first, input, { signal: ac.signal });
    expect(run.record.status).toBe('interrupted');
    expect(run.record.cases.map((c) => [c.status, c.repetitionsDone])).toEqual([
      ['completed', 2],
      ['failed', 1],
      ['pending', 0],
    ]);
    const before = await samplesOf(run.dir);
    expect(repsOf(before, 'boot.to_ready_ms')).toContain('fake/cpu/threads=2 r2'); // the interrupted repetition's boot metrics

    const second = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(200)));
    const again = await openRun(run.dir);
    const { run: resumed } = await go(second, input, { resume: again });
    // threads=2 rep 2, threads=3 reps 1 and 2: nothing else.
    expect(second.launched).toHaveLength(3);
    expect(resumed.dir).toBe(run.dir);
    expect(resumed.record.status).toBe('completed');
    expect(resumed.record.cases.map((c) => [c.status, c.repetitionsDone])).toEqual([
      ['completed', 2],
      ['completed', 2],
      ['completed', 2],
    ]);
    const after = await samplesOf(run.dir);
    expect(repsOf(after)).toEqual(everyRep([1, 2, 3], 2));
    expect(repsOf(after, 'boot.to_ready_ms')).toEqual(everyRep([1, 2, 3], 2));
    // Kept samples are byte for byte the old ones; the new ones come after them in the run's order.
    const old = after.filter((s) => s.value < 200 && s.metric === 'cpu.events_per_s').map((s) => s.dims.case + String(s.dims.rep));
    expect(old).toEqual(['fake/cpu/threads=11', 'fake/cpu/threads=12', 'fake/cpu/threads=21']);
    const seqs = after.filter((s) => s.metric === 'cpu.events_per_s').map((s) => s.dims.seq as number);
    expect(new Set(seqs).size).toBe(6);
    // The interrupted repetition's samples are set aside, not lost.
    const aside = await samplesOf(run.dir, 'samples.set-aside.jsonl');
    expect(aside.length).toBeGreaterThan(0);
    expect(new Set(aside.map((s) => `${s.dims.case} r${s.dims.rep}`))).toEqual(new Set(['fake/cpu/threads=2 r2']));
    expect(after.filter((s) => before.some((b) => JSON.stringify(b) === JSON.stringify(s))).length + aside.length).toBe(before.length);
    const onDisk = JSON.parse(await readFile(join(run.dir, 'run.json'), 'utf8'));
    expect(onDisk.status).toBe('completed');
    expect(onDisk.resumes).toHaveLength(1);
    expect(onDisk.resumes[0]).toMatchObject({
      previousStatus: 'interrupted',
      cases: 2,
      repetitionsKept: 1,
      samplesSetAside: aside.length,
      samplesSetAsideFile: 'samples.set-aside.jsonl',
      writer: { pid: process.pid },
    });
    expect(onDisk.resumes[0].previous.map((p: { id: string; status: string }) => [p.id, p.status])).toEqual([
      ['fake/cpu/threads=2', 'failed'],
      ['fake/cpu/threads=3', 'pending'],
    ]);
    // The interrupted repetition's log is kept beside the new one.
    expect(onDisk.cases[1].logs).toEqual(['logs/fake_cpu_threads=2.r1.log', 'logs/fake_cpu_threads=2.r2.log', 'logs/fake_cpu_threads=2.r2.2.log']);
  });

  it('after a crash between writing samples and counting them: the uncounted repetition is set aside and run again', async () => {
    const fake = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(7)));
    const { run } = await go(fake, { repetitions: 2, workloads: [{ workload: 'cpu', params: { threads: [1, 2] } }] });
    // What a SIGKILL right after the samples of threads=2 rep 2 were appended leaves behind.
    const record = JSON.parse(await readFile(join(run.dir, 'run.json'), 'utf8'));
    record.status = 'running';
    delete record.endedAt;
    record.writer.pid = deadPid();
    record.cases[1].status = 'pending';
    record.cases[1].repetitionsDone = 1;
    await writeFile(join(run.dir, 'run.json'), JSON.stringify(record));
    // …and half a line of the next batch.
    await writeFile(join(run.dir, 'samples.jsonl'), `${await readFile(join(run.dir, 'samples.jsonl'), 'utf8')}{"metric":"cpu.ev`);

    const reopened = await openRun(run.dir);
    expect(reopened.warnings[0]).toMatch(/is gone: it was cut short/);
    const second = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(9)));
    const { run: resumed } = await go(second, { repetitions: 2, workloads: [{ workload: 'cpu', params: { threads: [1, 2] } }] }, { resume: reopened });
    expect(second.launched).toHaveLength(1);
    expect(resumed.record.status).toBe('completed');
    const after = await samplesOf(run.dir);
    expect(repsOf(after)).toEqual(everyRep([1, 2], 2));
    expect(after.find((s) => s.dims.case === 'fake/cpu/threads=2' && s.dims.rep === 2 && s.metric === 'cpu.events_per_s')?.value).toBe(9);
    const aside = await readFile(join(run.dir, 'samples.set-aside.jsonl'), 'utf8');
    expect(aside.split('\n').filter(Boolean).at(-1)).toBe('{"metric":"cpu.ev');
    expect(resumed.record.resumes?.[0]).toMatchObject({ previousStatus: 'running', cases: 1, repetitionsKept: 1 });
  });

  it('refuses a run whose writer still runs, and a suite that changed', async () => {
    const fake = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(7)));
    const { run } = await go(fake, { repetitions: 1, workloads: [{ workload: 'cpu' }] });
    const record = JSON.parse(await readFile(join(run.dir, 'run.json'), 'utf8'));
    record.status = 'running';
    record.writer.pid = process.ppid;
    await writeFile(join(run.dir, 'run.json'), JSON.stringify(record));
    await expect(go(fake, { repetitions: 1, workloads: [{ workload: 'cpu' }] }, { resume: await openRun(run.dir) })).rejects.toMatchObject({
      code: 'run-busy',
    });

    const changed = suiteOf({ repetitions: 3, workloads: [{ workload: 'cpu' }] });
    expect(() => checkResumeSuite(changed.suite, record, 'suite.ts')).toThrow(/suite\.ts does not resolve to the suite of run .*: repetitions differs/);
    const same = suiteOf({ repetitions: 1, workloads: [{ workload: 'cpu' }] });
    expect(() => checkResumeSuite(same.suite, record, 'suite.ts')).not.toThrow();
    const other = suiteOf({ repetitions: 1, workloads: [{ workload: 'cpu', params: { threads: 4 } }] });
    expect(() => casesToResume(record, other.cases)).toThrow(/the suite has no case fake\/cpu of run/);
  });
});

describe('a results folder that fails', () => {
  it('a full disk mid-run: the run is recorded as failed with the cause, nothing else starts', async () => {
    let n = 0;
    let dir = '';
    const fake = fakeBackend((say, nonce) => {
      if (++n === 2) {
        // From now on every append to samples.jsonl ends in ENOSPC.
        const file = join(dir, 'samples.jsonl');
        unlinkSync(file);
        symlinkSync('/dev/full', file);
      }
      stepTranscript(say, nonce, 'cpu', sysbench(5));
    });
    const { suite, cases } = suiteOf({ repetitions: 2, workloads: [{ workload: 'cpu', params: { threads: [1, 2] } }] });
    const running = runSuite({
      suite,
      suiteFile: 'suite.ts',
      cases,
      outDir: out,
      image,
      host: new LocalHost(),
      backends: () => fake,
      workloads,
      observer: (e) => {
        if (e.type === 'run-start') dir = e.dir;
      },
    });
    await expect(running).rejects.toMatchObject({
      code: 'results-write',
      message: expect.stringMatching(/^cannot append samples to .*samples\.jsonl: ENOSPC/),
    });
    expect(fake.launched).toHaveLength(2);
    const onDisk = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'));
    expect(onDisk.status).toBe('failed');
    expect(onDisk.error).toMatchObject({ code: 'results-write', message: expect.stringContaining('ENOSPC') });
    expect(onDisk.cases.map((c: { status: string }) => c.status)).toEqual(['failed', 'skipped']);
    expect(onDisk.cases[1].error.message).toMatch(/^not run: cannot append samples/);
  });

  it('a nearly full results folder is refused before anything is measured, naming the folder', async () => {
    const fake = fakeBackend((say, nonce) => stepTranscript(say, nonce, 'cpu', sysbench(5)));
    const { suite, cases } = suiteOf({ repetitions: 1, workloads: [{ workload: 'cpu' }] });
    const running = runSuite({
      suite,
      suiteFile: 'suite.ts',
      cases,
      outDir: out,
      image,
      host: new LocalHost(),
      backends: () => fake,
      workloads,
      writable: { statfs: async () => ({ bavail: 10, bsize: 4096 }) },
    });
    await expect(running).rejects.toMatchObject({
      code: 'results-dir',
      message: expect.stringMatching(new RegExp(`^cannot write results to ${out}/\\S+: only 0 MiB free on its file system, at least 32 MiB needed`)),
    });
    expect(fake.launched).toHaveLength(0);
  });
});
