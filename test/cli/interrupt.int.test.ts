import { readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

// `hvbench run` interrupted for real by SIGINT (Ctrl-C) while a network case runs (root: a
// namespace with a tap and peer servers), and by SIGTERM with a second signal at once (no
// wind-down) while a disk case runs (a scratch disk): the CLI exits 130, run.json says
// interrupted and keeps what was measured, and the
// VMM, the namespace with its tap and peers, the scratch disk and every temporary folder it
// made are gone. The CLI gets a private TMPDIR so "nothing left" can be checked exactly.

const BIN = fileURLToPath(new URL('../../bin/hvbench.js', import.meta.url));
const isRoot = process.getuid?.() === 0;

/** Live processes started by the hvbench process `owner` (they carry its marker in their environment). */
function processesOf(owner: number): { pid: number; comm: string; argv: string[] }[] {
  const found: { pid: number; comm: string; argv: string[] }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === owner) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!env.some((e) => e.startsWith(`HVBENCH_OWNER=${owner}-`))) continue;
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (state !== 'Z') found.push({ pid: Number(entry), comm: readFileSync(`/proc/${entry}/comm`, 'utf8').trim(), argv });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

async function namespacesOf(owner: number): Promise<string[]> {
  const { stdout } = await execa('ip', ['netns', 'list'], { reject: false });
  return stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(`hvb-${owner}-`));
}

async function until<T>(what: string, ms: number, probe: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let dir: string;
const owners: number[] = [];
beforeAll(async () => {
  await guestImage();
  dir = await mkdtemp(join(tmpdir(), 'hvb-interrupt-int-'));
}, IMAGE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  // Whatever the outcome, nothing of these runs stays.
  for (const owner of owners) for (const p of processesOf(owner)) process.kill(p.pid, 'SIGKILL');
  for (const owner of owners) for (const ns of await namespacesOf(owner)) await execa('ip', ['netns', 'delete', ns], { reject: false });
  await rm(dir, { recursive: true, force: true });
});

/**
 * Runs `workload` through the CLI, sends `signals` once the guest's VMM (and, for `net`, the
 * namespace's peers) are up, and returns what is left afterwards.
 */
async function interrupt(name: string, workload: string, params: string, signals: ('SIGINT' | 'SIGTERM')[]) {
  const suite = join(dir, `${name}.ts`);
  await writeFile(
    suite,
    `export default { name: '${name}', repetitions: 2, workloads: [{ workload: 'boot' }, { workload: '${workload}', params: ${params} }] };\n`,
  );
  const out = join(dir, `${name}-results`);
  const tmp = join(dir, `${name}-tmp`);
  await mkdir(tmp);
  const child = execa('node', [BIN, 'run', suite, '--out', out], { cwd: REPO, reject: false, env: { CI: '1', TMPDIR: tmp }, all: true });
  const owner = child.pid!;
  owners.push(owner);
  let log = '';
  child.all!.on('data', (d: Buffer) => (log += d.toString()));
  // The boot case first (so something is measured), then into the interesting case.
  await until('the boot case', 8 * 60_000, () => (/\bboot rep 2: completed/.test(log) ? true : undefined));
  await until(`the ${workload} guest`, 120_000, () => (processesOf(owner).some((p) => p.comm.startsWith('qemu-system')) ? true : undefined));
  const namespaces =
    workload === 'net' ? await until('the namespace', 60_000, async () => ((await namespacesOf(owner)).length > 0 ? namespacesOf(owner) : undefined)) : [];
  const during = processesOf(owner);
  await new Promise((r) => setTimeout(r, 3_000));
  // Several signals reach the process together: it is stopped while they are sent, so on
  // SIGCONT they are all pending at once and handled one after the other before anything the
  // first one started can finish (sent back to back to a running process, a busy machine may
  // let the first one's wind-down end before the second arrives).
  if (signals.length > 1) process.kill(owner, 'SIGSTOP');
  for (const signal of signals) child.kill(signal);
  if (signals.length > 1) process.kill(owner, 'SIGCONT');
  const ended = await child;
  const [runId] = await readdir(out);
  const runDir = join(out, runId!);
  return {
    ended,
    log,
    namespaces,
    during,
    record: JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')),
    samples: (await readFile(join(runDir, 'samples.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { metric: string; dims: Record<string, unknown> }),
    runFiles: await readdir(runDir),
    leftProcesses: processesOf(owner),
    leftNamespaces: await namespacesOf(owner),
    // tsx (which loads hvbench's TypeScript) keeps its compile cache there on purpose.
    leftTmp: (await readdir(tmp)).filter((f) => !/^tsx-\d+$/.test(f)),
  };
}

describe('hvbench run interrupted mid-case', () => {
  it.runIf(isRoot)(
    'SIGINT during a network case: exit 130, run interrupted, no VMM, namespace, tap, peer or temporary folder left',
    { timeout: 15 * 60_000 },
    async () => {
      const r = await interrupt('sigint-net', 'net', "{ io: 'paravirtual', timeSec: 20 }", ['SIGINT']);
      expect(r.ended.exitCode, r.log).toBe(130);
      expect(r.namespaces).toHaveLength(1);
      // The peers ran (the image's own iperf3 and sockperf, through its loader), under this hvbench.
      expect(r.during.filter((p) => p.argv.some((a) => /iperf3$/.test(a)))).not.toEqual([]);
      expect(r.record.status).toBe('interrupted');
      expect(r.record.cases.map((c: { status: string }) => c.status)).toEqual(['completed', 'failed']);
      expect(r.samples.filter((s) => s.dims.workload === 'boot' && s.metric === 'boot.to_ready_ms')).toHaveLength(2);
      expect(r.leftProcesses).toEqual([]);
      expect(r.leftNamespaces).toEqual([]);
      expect(r.leftTmp).toEqual([]);
    },
  );

  it('SIGTERM and SIGINT together during a disk case: quits without winding down, yet records the run as interrupted and removes the scratch disk and VM folder', {
    timeout: 15 * 60_000,
  }, async () => {
    const r = await interrupt('sigterm-disk', 'disk', "{ io: 'paravirtual', sizeMiB: 64, runtimeSec: 20 }", ['SIGTERM', 'SIGINT']);
    expect(r.ended.exitCode, r.log).toBe(130);
    // The second signal's path (process exit), not the runner's wind-down, wrote the record.
    // Pending signals are delivered lowest number first: SIGINT, then SIGTERM.
    const forced = /a second (SIGINT|SIGTERM) quit hvbench at once/.exec(r.log)?.[0];
    expect(forced, r.log).toBeDefined();
    expect(r.record.status).toBe('interrupted');
    expect(r.record.error).toEqual({ message: forced, code: 'interrupted' });
    // The disk case never finished: pending, with what `--resume` needs to run it again.
    expect(r.record.cases.map((c: { status: string }) => c.status)).toEqual(['completed', 'pending']);
    expect(r.samples.filter((s) => s.dims.workload === 'boot' && s.metric === 'boot.to_ready_ms')).toHaveLength(2);
    expect(r.leftProcesses).toEqual([]);
    expect(r.leftTmp).toEqual([]);
    // Only what a finished run keeps: no scratch folder, no half-written run.json.
    expect(r.runFiles.sort()).toEqual(['logs', 'run.json', 'samples.jsonl']);
  });
});
