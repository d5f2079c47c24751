import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerCompare } from '../../src/cli/commands/compare.ts';
import { registerExport } from '../../src/cli/commands/export.ts';
import { registerHistory } from '../../src/cli/commands/history.ts';
import { registerReport } from '../../src/cli/commands/report.ts';
import { exitCodeOf } from '../../src/cli/exit-codes.ts';
import { setAsideSamples } from '../../src/results/samples-file.ts';
import { openRun, processAlive } from '../../src/results/store.ts';
import { findAllLeftovers, removeLeftovers } from '../../src/runner/leftovers.ts';
import { mulberry32, type Rng } from '../../src/stats/prng.ts';
import { HvbError } from '../../src/util/errors.ts';
import { noNetnsHost } from '../support/unused-host-methods.ts';
import { makeCanary, makeRun, treeDigest } from './untrusted-fixtures.ts';

// A property test: random damage to run.json and samples.jsonl (paths, ids, extreme
// numbers, duplicates, links) fed to export, compare, history, report, resume and clean,
// in-process (the commands' own code, without a process per call). Whatever the damage,
// every command either works or refuses with a clear bad-input error (exit 2) — never a
// crash — prints no NaN or Infinity, and nothing outside the results folder and the
// report folder is read, written or deleted (a canary tree's checksums).

const ITERATIONS = 40;
let root: string;
let canary: string;
let template: string;
let digest: string[];

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hvb-property-'));
  canary = path.join(root, 'canary');
  await makeCanary(canary);
  digest = await treeDigest(canary);
  template = await makeRun(path.join(root, 'template'), 1);
}, 60_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** Runs one command in-process as the CLI would: its output, and the exit code the CLI would give. */
async function cli(args: string[]): Promise<{ code: number; out: string; crash?: unknown }> {
  const program = new Command('hvbench').exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
  registerExport(program);
  registerCompare(program);
  registerHistory(program);
  registerReport(program);
  let out = '';
  const capture = (chunk: unknown) => {
    out += String(chunk);
    return true;
  };
  const so = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const se = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await program.parseAsync(['node', 'hvbench', ...args]);
    return { code: process.exitCode === undefined ? 0 : Number(process.exitCode), out };
  } catch (e) {
    out += e instanceof Error ? e.message : String(e);
    // A crash is an error hvbench did not explain: not an HvbError.
    return { code: exitCodeOf(e), out, ...(e instanceof HvbError || (e as { code?: string }).code?.startsWith('commander.') ? {} : { crash: e }) };
  } finally {
    so.mockRestore();
    se.mockRestore();
    process.exitCode = undefined;
  }
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

const BAD_PATHS = ['../../canary/victim.txt', '/etc/passwd', 'logs/../../canary/secret', '.hidden', 'sub/samples.jsonl', '..', '', 'samples.jsonl\u0000x'];
const BAD_IDS = [
  '../../../escaped',
  '/tmp/escaped',
  'a/b',
  '',
  '..',
  '20260101-080000-quick-zzzz',
  '20260101-080000-QUICK-1f3a',
  `20260101-080000-${'x'.repeat(80)}-1f3a`,
];
const EXTREME = ['1e308', '-1.7e308', '5e-324', '-0', '0', '1e15', '1.0000001e15', '-1', '1e-16'];

interface Damage {
  /** What was done, for the failure message. */
  what: string[];
  /** A path field of run.json was damaged: reading must be refused. */
  pathDamaged: boolean;
}

/** Damages the run folder `dir` (a copy of the template) in a few random ways. */
async function damage(dir: string, rng: Rng): Promise<Damage> {
  const d: Damage = { what: [], pathDamaged: false };
  const runFile = path.join(dir, 'run.json');
  const record = JSON.parse(await readFile(runFile, 'utf8')) as Record<string, unknown>;
  const samplesFile = path.join(dir, 'samples.jsonl');
  const lines = (await readFile(samplesFile, 'utf8')).split('\n').filter(Boolean);
  // Two runs in five get a damaged path (which must be refused); the others only damaged data, which must be read around.
  const pathKinds = ['samplesFile', 'id', 'setAside', 'logs', 'link', 'logs-link'];
  const dataKinds = ['extreme', 'extreme', 'extreme', 'duplicate', 'duplicate', 'hostile-dim', 'cut', 'crashed', 'metric'];
  const chosen = new Set([...(rng() < 0.4 ? [pick(rng, pathKinds)] : []), ...Array.from({ length: 1 + Math.floor(rng() * 3) }, () => pick(rng, dataKinds))]);
  for (const kind of chosen) {
    switch (kind) {
      case 'samplesFile':
        record.samplesFile = pick(rng, BAD_PATHS);
        d.pathDamaged = true;
        break;
      case 'id':
        record.id = pick(rng, BAD_IDS);
        d.pathDamaged = true;
        break;
      case 'setAside':
        record.resumes = [
          {
            samplesSetAsideFile: pick(
              rng,
              BAD_PATHS.filter((p) => p !== ''),
            ),
          },
        ];
        d.pathDamaged = true;
        break;
      case 'logs':
        record.cases = [{ id: 'tcg/cpu/threads=1', backend: 'tcg', workload: 'cpu', status: 'completed', repetitionsDone: 5, logs: [pick(rng, BAD_PATHS)] }];
        d.pathDamaged = true;
        break;
      case 'extreme': {
        const i = Math.floor(rng() * lines.length);
        lines[i] = lines[i]!.replace(/"value":[^,]*/, `"value":${pick(rng, EXTREME)}`);
        break;
      }
      case 'duplicate':
        lines.push(...lines.slice(0, 1 + Math.floor(rng() * lines.length)));
        break;
      case 'metric': {
        const i = Math.floor(rng() * lines.length);
        lines[i] = lines[i]!.replace(/"metric":"[^"]*"/, `"metric":${JSON.stringify(pick(rng, ['../../canary/pwn', 'a/b', '..', '<script>x</script>']))}`);
        break;
      }
      case 'hostile-dim': {
        const i = Math.floor(rng() * lines.length);
        lines[i] = lines[i]!.replace(/"host":"local"/, `"host":"=HYPERLINK(\\"http://x\\")"`);
        break;
      }
      case 'cut':
        lines.push(lines[0]!.slice(0, 30));
        break;
      case 'link':
        await symlink(path.join(canary, pick(rng, ['victim.txt', 'secret'])), path.join(dir, 'samples.set-aside.jsonl'));
        record.resumes = [{ samplesSetAsideFile: 'samples.set-aside.jsonl' }];
        d.pathDamaged = true;
        break;
      case 'logs-link':
        await symlink(path.join(canary, 'sub'), path.join(dir, 'logs'));
        d.pathDamaged = true;
        break;
      case 'crashed':
        record.status = 'running';
        record.writer = { hostname: os.hostname(), pid: deadPid() };
        await mkdir(path.join(dir, 'scratch'), { recursive: true });
        await writeFile(path.join(dir, 'scratch', 'disk.raw'), 'x');
        break;
    }
    d.what.push(kind);
  }
  await writeFile(runFile, `${JSON.stringify(record, null, 2)}\n`);
  await unlink(samplesFile);
  await writeFile(samplesFile, lines.map((l) => `${l}\n`).join(''));
  return d;
}

function deadPid(): number {
  for (let pid = 4_000_000; ; pid--) if (!processAlive(pid)) return pid;
}

const noNetns = noNetnsHost;

describe('random damage to results folders', () => {
  it(`${ITERATIONS} damaged runs through export, compare, history, report, resume and clean`, { timeout: 120_000 }, async () => {
    const rng = mulberry32(18);
    const before = (await readdir(root)).sort();
    for (let i = 0; i < ITERATIONS; i++) {
      const results = path.join(root, `results-${i}`);
      const dir = path.join(results, path.basename(template));
      await cp(template, dir, { recursive: true });
      const baseline = path.join(results, `${path.basename(template)}.base`);
      await cp(template, baseline, { recursive: true });
      const d = await damage(dir, rng);
      const label = `iteration ${i}: ${d.what.join(', ')}`;
      const outDir = path.join(root, `report-${i}`);

      const exp = await cli(['export', 'csv', dir]);
      const cmp = await cli(['compare', dir, baseline]);
      const his = await cli(['history', results, '--metric', 'cpu.events_per_s', '--permutations', '200']);
      const rep = i % 4 === 0 ? await cli(['report', dir, '--out', outDir, '--no-figures', '--permutations', '200']) : undefined;
      for (const [name, r] of Object.entries({ exp, cmp, his, ...(rep ? { rep } : {}) })) {
        expect(r.crash, `${label}: ${name} crashed: ${r.out}`).toBeUndefined();
        expect([0, 1, 2], `${label}: ${name} exit ${r.code}: ${r.out}`).toContain(r.code);
        expect(r.out, `${label}: ${name}`).not.toMatch(/\bNaN\b|Infinity/);
        expect(r.out, `${label}: ${name} leaked the canary`).not.toMatch(/canary-secret|victim line/);
      }
      if (d.pathDamaged) {
        expect(exp.code, `${label}: export of a folder with a damaged path: ${exp.out}`).toBe(2);
        expect(exp.out, label).toMatch(/run\.json: .*(samplesFile|id|samplesSetAsideFile|logs)|symbolic link/);
      }
      if (exp.code === 0) expect(exp.out, label).not.toMatch(/(^|,)[=+@]|,-[^0-9]/m);

      // resume: the run is opened for writing and its incomplete lines are set aside.
      let resumed: unknown;
      try {
        const run = await openRun(dir, { forWriting: true });
        await setAsideSamples(run, (s) => s !== undefined);
      } catch (e) {
        resumed = e;
      }
      if (resumed !== undefined) expect(exitCodeOf(resumed), `${label}: resume: ${String(resumed)}`).toBe(2);
      if (d.pathDamaged) expect(resumed, `${label}: resume of a damaged path`).toBeDefined();

      // clean: crashed runs of this results folder (scratch removed, marked interrupted) — never anything outside.
      const tmp = path.join(root, `tmp-${i}`);
      await mkdir(tmp);
      const found = await findAllLeftovers({
        resultsDir: results,
        tmpDir: tmp,
        stateDir: path.join(tmp, 'net'),
        cacheDir: path.join(tmp, 'cache'),
        host: noNetns,
      });
      const removed = await removeLeftovers(found, { resultsDir: results, host: noNetns, stateDir: path.join(tmp, 'net') });
      for (const p of removed.problems) expect(p, label).toMatch(/run\.json|symbolic link|samples/);
      await rm(tmp, { recursive: true, force: true });

      expect(await treeDigest(canary), label).toEqual(digest);
      await rm(results, { recursive: true, force: true });
      await rm(outDir, { recursive: true, force: true });
      expect((await readdir(root)).sort(), `${label}: something was created outside the results and report folders`).toEqual(before);
    }
  });
});
