import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { REPO, hvbench } from '../support/cli.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

const BIN = fileURLToPath(new URL('../../bin/hvbench.js', import.meta.url));

/** QEMU processes started by the hvbench process `ownerPid` (they carry its marker), with their working folders. */
function qemusOf(ownerPid: number): { pid: number; cwd: string }[] {
  const found: { pid: number; cwd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/comm`, 'utf8').startsWith('qemu-system')) continue;
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!env.some((e) => e.startsWith(`HVBENCH_OWNER=${ownerPid}-`))) continue;
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (state !== 'Z') found.push({ pid: Number(entry), cwd: readlinkSync(`/proc/${entry}/cwd`) });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function until<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let dir: string;
let killedPid: number | undefined;
beforeAll(async () => {
  await guestImage();
  dir = await mkdtemp(join(tmpdir(), 'hvb-resume-int-'));
}, IMAGE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  // Whatever the outcome: no QEMU of the killed run stays behind.
  if (killedPid !== undefined) for (const q of qemusOf(killedPid)) process.kill(q.pid, 'SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('a run killed with SIGKILL, cleaned and resumed (local TCG)', () => {
  it('clean removes the orphaned QEMU and its folder; --resume runs only the missing repetitions, each once, counted as the run was', {
    timeout: 15 * 60_000,
  }, async () => {
    const suite = join(dir, 'kill9.ts');
    await writeFile(suite, "export default { name: 'kill9', repetitions: 2, workloads: [{ workload: 'cpu', params: { threads: [1, 2], timeSec: 1 } }] };\n");
    const out = join(dir, 'results');

    // Counted: a resume counts the same way without being told again (run.json records it).
    const child = execa('node', [BIN, 'run', suite, '--count-events', '--out', out], { cwd: REPO, reject: false, env: { CI: '1' }, all: true });
    killedPid = child.pid!;
    let log = '';
    child.all!.on('data', (d: Buffer) => (log += d.toString()));
    // Kill it during the second repetition of the first case, once that repetition's QEMU runs.
    await until('the first repetition', 8 * 60_000, () => (/rep 1: completed/.test(log) ? true : undefined));
    const orphan = await until('the second QEMU', 120_000, () => qemusOf(killedPid!)[0]);
    process.kill(killedPid, 'SIGKILL');
    const ended = await child;
    expect(ended.signal, log).toBe('SIGKILL');
    expect(qemusOf(killedPid).map((q) => q.pid)).toEqual([orphan.pid]); // left behind
    const [runId] = await readdir(out);
    const runDir = join(out, runId!);
    expect(JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'))).toMatchObject({ status: 'running', countEvents: true });

    const listed = await hvbench(['clean', '--dry-run', '--out', out]);
    expect(listed.stdout).toContain(`would remove: QEMU process ${orphan.pid} in ${orphan.cwd}`);
    expect(qemusOf(killedPid)).toHaveLength(1);
    const cleaned = await hvbench(['clean', '--out', out]);
    expect(cleaned.exitCode, cleaned.stdout + cleaned.stderr).toBe(0);
    expect(cleaned.stdout).toContain(`removed: QEMU process ${orphan.pid} in ${orphan.cwd}`);
    expect(cleaned.stdout).toContain(`removed: VM folder ${orphan.cwd}`);
    expect(cleaned.stdout).toContain(`removed: run ${runDir}: marked interrupted`);
    await until('the orphan to go', 10_000, () => (qemusOf(killedPid!).length === 0 ? true : undefined));
    expect(existsSync(orphan.cwd)).toBe(false);
    const afterClean = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
    expect(afterClean.status).toBe('interrupted');
    expect(afterClean.error.code).toBe('crashed');
    const doneBefore = afterClean.cases.map((c: { repetitionsDone: number }) => c.repetitionsDone);
    expect(doneBefore).toEqual([1, 0]);

    // The suite file is taken from run.json.
    const resumed = await hvbench(['run', '--resume', runDir], { timeoutMs: 10 * 60_000 });
    expect(resumed.exitCode, resumed.stdout + resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/\[3\/3\] tcg\/cpu\/threads=2,timeSec=1 rep 2: completed/);
    expect(resumed.stderr).not.toMatch(/\[\d\/\d\] tcg\/cpu\/threads=1,timeSec=1 rep 1:/);
    const record = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
    expect(record.status).toBe('completed');
    expect(record.resumes).toHaveLength(1);
    expect(record.resumes[0]).toMatchObject({ previousStatus: 'interrupted', cases: 2, repetitionsKept: 1 });
    const samples = (await readFile(join(runDir, 'samples.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { metric: string; dims: Record<string, unknown> });
    for (const metric of ['cpu.events_per_s', 'boot.to_ready_ms', 'events.cpu.tb_count_per_s']) {
      const reps = samples
        .filter((s) => s.metric === metric)
        .map((s) => `${String(s.dims.case)} r${String(s.dims.rep)}`)
        .sort();
      expect(reps).toEqual([
        'tcg/cpu/threads=1,timeSec=1 r1',
        'tcg/cpu/threads=1,timeSec=1 r2',
        'tcg/cpu/threads=2,timeSec=1 r1',
        'tcg/cpu/threads=2,timeSec=1 r2',
      ]);
    }
  });
});
