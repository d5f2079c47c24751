import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../src/backends/common/backend.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import type { Sample } from '../../src/results/sample.ts';
import type { RunEvent } from '../../src/runner/events.ts';
import { runSuite } from '../../src/runner/run-suite.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { workloads } from '../../src/workloads/registry.ts';
import { fakeBackend, fakeImage, stepTranscript } from './fake-backend.ts';

const image = fakeImage();
const sysbench = (eps: number) => `    events per second:  ${eps}\n         avg:    1.00\n         95th percentile:   2.00\n`;
const deps = { workloads, backends: ['fake'] };
const input = { repetitions: 2, workloads: [{ workload: 'cpu', params: { threads: 1 } }] };

let out: string;
beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'hvb-retry-'));
});
afterEach(async () => {
  await rm(out, { recursive: true, force: true });
});

function go(fake: Backend, retryCrashed?: number, extra: object = {}) {
  const suite = resolveSuite({ name: 's', backends: ['fake'], ...input, ...extra }, deps, 'suite.ts');
  const events: RunEvent[] = [];
  const cases = expandSuite(suite, deps);
  const run = runSuite({
    suite,
    suiteFile: 'suite.ts',
    cases,
    outDir: out,
    image,
    host: new LocalHost(),
    backends: () => fake,
    workloads,
    observer: (e) => events.push(e),
    ...(retryCrashed === undefined ? {} : { retryCrashed }),
  });
  return run.then((r) => ({ ...r, events }));
}

/** A guest that says ready, then resets before its job is done, on the boots whose number is in `crashOn` (1-based). */
function crashingOn(crashOn: number[], how: 'reset' | 'step-fails' = 'reset') {
  let n = 0;
  return fakeBackend((say, nonce) => {
    n++;
    if (!crashOn.includes(n)) return stepTranscript(say, nonce, 'cpu', sysbench(5));
    if (how === 'step-fails') return stepTranscript(say, nonce, 'cpu', 'sysbench: error\n', 2);
    say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test`);
    return { exit: { kind: 'shutdown', reason: 'guest-reset' } };
  });
}

async function samplesOf(dir: string): Promise<Sample[]> {
  const text = await readFile(join(dir, 'samples.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Sample);
}

describe('run --retry-crashed', () => {
  it('runs a repetition again whose guest reset, keeps the lost attempt with its log and values, and counts each repetition once', async () => {
    const fake = crashingOn([2]);
    const { run, events } = await go(fake, 1);
    expect(fake.launched).toHaveLength(3);
    const [c] = run.record.cases;
    expect(c).toMatchObject({ status: 'completed', repetitionsDone: 2 });
    expect(c?.lostAttempts).toHaveLength(1);
    const lost = c!.lostAttempts![0]!;
    expect(lost).toMatchObject({ during: 'repetition 2', logFile: expect.stringMatching(/\.r2\.lost1\.log$/) });
    expect(lost.error).toMatch(/stopped before the job was done \(guest-reset\)/);
    expect(lost.values['boot.guest_uptime_at_ready_s']).toBe(1.25);
    await access(join(run.dir, lost.logFile));
    expect(c?.logs).toContain(lost.logFile);
    const reps = (await samplesOf(run.dir)).filter((s) => s.metric === 'cpu.events_per_s').map((s) => s.dims.rep);
    expect(reps.sort()).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'rep-retry')).toEqual([
      expect.objectContaining({ caseId: c?.id, rep: 2, warmup: false, attempt: 1, of: 1, error: lost.error }),
    ]);
    const onDisk = JSON.parse(await readFile(join(run.dir, 'run.json'), 'utf8'));
    expect(onDisk.cases[0].lostAttempts).toEqual(c?.lostAttempts);
  });

  it('gives up after n retries per case: the case fails with the last cause, every lost attempt kept', async () => {
    const fake = crashingOn([1, 2]);
    const { run } = await go(fake, 1);
    expect(fake.launched).toHaveLength(2);
    const [c] = run.record.cases;
    expect(c?.status).toBe('failed');
    expect(c?.error?.message).toMatch(/^repetition 1: the guest stopped before the job was done \(guest-reset\)/);
    expect(c?.lostAttempts?.map((a) => a.during)).toEqual(['repetition 1']);
  });

  it('runs again a guest that hung before it said ready, never one that hung in its job', async () => {
    const hangs = (afterReady: boolean) => {
      let n = 0;
      return fakeBackend((say, nonce) => {
        if (++n !== 1) return stepTranscript(say, nonce, 'cpu', sysbench(5));
        if (afterReady) say(`HVB ${nonce} ready uptime=1.25 kernel=6.1.0-test`);
        return { hang: true };
      });
    };
    const beforeReady = hangs(false);
    const a = await go(beforeReady, 1, { timeoutSec: 0.3 });
    expect(a.run.record.cases[0]).toMatchObject({ status: 'completed', repetitionsDone: 2 });
    expect(a.run.record.cases[0]?.lostAttempts?.map((l) => l.error)).toEqual(['timed out after 0.3 s: the guest never said ready']);
    const inJob = hangs(true);
    const b = await go(inJob, 1, { timeoutSec: 0.3 });
    expect(inJob.launched).toHaveLength(1);
    expect(b.run.record.cases[0]).toMatchObject({ status: 'timed-out' });
    expect(b.run.record.cases[0]?.lostAttempts).toBeUndefined();
  });

  it('never runs again a repetition whose step failed, nor a crash without the option', async () => {
    const failing = crashingOn([1], 'step-fails');
    const a = await go(failing, 3);
    expect(failing.launched).toHaveLength(1);
    expect(a.run.record.cases[0]).toMatchObject({ status: 'failed' });
    expect(a.run.record.cases[0]?.lostAttempts).toBeUndefined();
    const crashing = crashingOn([1]);
    const b = await go(crashing);
    expect(crashing.launched).toHaveLength(1);
    expect(b.run.record.cases[0]?.status).toBe('failed');
  });
});
