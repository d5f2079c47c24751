import { createHash } from 'node:crypto';
import { appendFile, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { processAlive } from '../../src/results/store.ts';
import { hvbench, REPO } from '../support/cli.ts';
import { damagedCopy, makeCanary, makeRun, treeDigest } from './untrusted-fixtures.ts';

// Results folders, paths and suites are untrusted input: each case below is refused (or
// warned about) clearly through the real CLI, and a canary tree next to the results is
// never read, written or deleted (its checksums are compared after every test).

let root: string;
let canary: string;
let results: string;
let good: string;
let digest: string[];
let roMount: string | undefined;

/** A pid no process has. */
function deadPid(): number {
  for (let pid = 4_000_000; ; pid--) if (!processAlive(pid)) return pid;
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'hvb-untrusted-'));
  canary = path.join(root, 'canary');
  await makeCanary(canary);
  // The canary holds a folder shaped like a crashed run with scratch disks: `clean` must never reach it through a link.
  await writeFile(
    path.join(canary, 'sub', 'run.json'),
    JSON.stringify({ format: 1, id: '20260101-080000-quick-dead', status: 'running', writer: { hostname: os.hostname(), pid: deadPid() } }),
  );
  digest = await treeDigest(canary);
  results = path.join(root, 'results');
  good = await makeRun(results);
}, 60_000);

afterEach(async () => {
  expect(await treeDigest(canary)).toEqual(digest);
});

afterAll(async () => {
  if (roMount) await execa('umount', [roMount], { reject: false });
  if (root) await rm(root, { recursive: true, force: true });
});

describe('paths in run.json are confined to the run folder', () => {
  it('samplesFile leading out of the folder is refused by export and resume, naming the field (exit 2)', async () => {
    const up = await damagedCopy(good, 'up', (r) => (r.samplesFile = '../../canary/victim.txt'));
    const abs = await damagedCopy(good, 'abs', (r) => (r.samplesFile = '/etc/passwd'));
    const e1 = await hvbench(['export', 'csv', up]);
    expect(e1.exitCode).toBe(2);
    expect(e1.stderr).toContain(`${path.join(up, 'run.json')}: samplesFile: expected the samples file: a file name inside the run folder`);
    expect(e1.stdout).toBe('');
    const e2 = await hvbench(['export', 'csv', abs]);
    expect(e2.exitCode).toBe(2);
    expect(e2.stderr).toContain('samplesFile: expected the samples file');
    expect(e2.stdout).not.toContain('root:');
    const r = await hvbench(['run', '--resume', up, '--out', results]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('samplesFile');
    expect(await readdir(up)).not.toContain('samples.set-aside.jsonl');
  });

  it('a samples file that is a link out of the folder is refused, its target never read', async () => {
    const linked = await damagedCopy(good, 'linked');
    await unlink(path.join(linked, 'samples.jsonl'));
    await symlink(path.join(canary, 'secret'), path.join(linked, 'samples.jsonl'));
    const r = await hvbench(['export', 'csv', linked]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(
      `${path.join(linked, 'samples.jsonl')}: samplesFile is a symbolic link to ${path.join(canary, 'secret')}, outside the run folder`,
    );
    expect(r.stdout + r.stderr).not.toContain('canary-secret');
  });

  it('a logs/ folder that is a link is refused before resume writes a log through it', async () => {
    const logs = await damagedCopy(good, 'logs', (r) => (r.status = 'interrupted'));
    await symlink(path.join(canary, 'sub'), path.join(logs, 'logs'));
    const r = await hvbench(['run', '--resume', logs, '--out', results]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${path.join(logs, 'logs')}: expected the run's own logs/ folder, found a symbolic link`);
  });

  it('a run id that is a path is refused: report writes nothing outside reports/ (exit 2)', async () => {
    const escaped = await damagedCopy(good, 'escaped', (r) => (r.id = '../../../escaped-report'));
    const r = await hvbench(['report', escaped, '--no-figures']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('id: expected a run id YYYYMMDD-HHMMSS-<suite>-<4 hex digits>');
    await expect(stat(path.resolve(REPO, 'reports', '../../../escaped-report'))).rejects.toThrow();
    await expect(stat(path.resolve(REPO, 'reports', '../../../escaped-report'.replace(/^(\.\.\/)+/, '')))).rejects.toThrow();
  });
});

describe('clean', () => {
  it("never follows a linked run folder, leaves other users' VM folders alone and says why", async () => {
    const out = path.join(root, 'clean-results');
    const tmp = path.join(root, 'tmp');
    await mkdir(tmp, { recursive: true });
    await mkdir(out, { recursive: true });
    await symlink(path.join(canary, 'sub'), path.join(out, 'evil'));
    // Two VM folders of a killed hvbench, a minute old: ours is removed, another user's is not.
    const old = new Date(Date.now() - 10 * 60_000);
    const vm = async (name: string, uid: number | undefined) => {
      const dir = path.join(tmp, name);
      await mkdir(dir);
      await writeFile(path.join(dir, 'qemu.pid'), `${deadPid()}\n`);
      await writeFile(path.join(dir, 'qmp.sock'), '');
      if (uid !== undefined) await chown(dir, uid, uid);
      await utimes(dir, old, old);
      return dir;
    };
    const mine = await vm('hvbench-mine-aaaaaa', undefined);
    const other = await vm('hvbench-other-bbbbbb', 65534);
    const r = await hvbench(['clean', '--out', out], { env: { TMPDIR: tmp, HVBENCH_CACHE: path.join(root, 'cache') } });
    expect(r.stdout).toContain(
      `skipped: run ${path.join(out, 'evil')}: it is a symbolic link (to ${path.join(canary, 'sub')}); links are not followed out of ${out}`,
    );
    expect(r.stdout).toContain(`skipped: VM folder ${other}: belongs to user 65534, not to the user running hvbench (${process.getuid!()})`);
    expect(r.stdout).toContain(`removed: VM folder ${mine}`);
    expect(r.stdout).not.toContain(`removed: VM folder ${other}`);
    expect((await stat(other)).isDirectory()).toBe(true);
    await expect(stat(mine)).rejects.toThrow();
  });
});

describe('output paths are checked before anything is created (exit 2)', () => {
  it('refuses /proc, /sys and /dev at once, for run, report and export', async () => {
    const started = Date.now();
    const runs = await Promise.all([
      hvbench(['run', 'suites/quick.ts', '--out', '/proc/hvbench-results']),
      hvbench(['report', good, '--out', '/sys/hvbench-report', '--no-figures']),
      hvbench(['export', 'csv', good, '--out', '/dev/hvbench.csv']),
    ]);
    expect(runs.map((r) => r.exitCode)).toEqual([2, 2, 2]);
    expect(runs[0]!.stderr).toContain('--out /proc/hvbench-results: is under /proc, a kernel file system');
    expect(runs[1]!.stderr).toContain('--out /sys/hvbench-report: is under /sys, a kernel file system');
    expect(runs[2]!.stderr).toContain('--out /dev/hvbench.csv: is under /dev, a kernel file system');
    expect(Date.now() - started).toBeLessThan(40_000);
  });

  it('refuses a file, a read-only folder (said so, not ENOENT), a folder for export, a report folder holding a link', async () => {
    const file = path.join(root, 'a-file');
    await writeFile(file, 'x');
    const ro = path.join(root, 'ro');
    await mkdir(ro);
    if (process.getuid?.() === 0) {
      // Root writes through permissions: a read-only mount is what read-only means for root.
      await execa('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
      roMount = ro;
    } else {
      await execa('chmod', ['555', ro]);
    }
    const reportDir = path.join(root, 'report-with-link');
    await mkdir(reportDir);
    await symlink(path.join(canary, 'victim.txt'), path.join(reportDir, 'index.html'));
    const [onFile, onRo, below, exportDir, reportLink] = await Promise.all([
      hvbench(['run', 'suites/quick.ts', '--out', file]),
      hvbench(['run', 'suites/quick.ts', '--out', path.join(ro, 'results')]),
      hvbench(['export', 'csv', good, '--out', path.join(file, 'x.csv')]),
      hvbench(['export', 'csv', good, '--out', root]),
      hvbench(['report', good, '--out', reportDir, '--no-figures']),
    ]);
    expect(onFile.exitCode).toBe(2);
    expect(onFile.stderr).toContain(`--out ${file}: is a file; expected a folder`);
    expect(onRo.exitCode).toBe(2);
    expect(onRo.stderr).toMatch(/cannot create or write files there: .* is (on a read-only file system|read-only for this user)/);
    expect(onRo.stderr).not.toContain('ENOENT');
    expect(below.exitCode).toBe(2);
    expect(below.stderr).toContain(`--out ${path.join(file, 'x.csv')}: ${file} is not a folder`);
    expect(exportDir.exitCode).toBe(2);
    expect(exportDir.stderr).toContain(`--out ${root}: is a folder; expected a file name`);
    expect(reportLink.exitCode).toBe(2);
    expect(reportLink.stderr).toContain('holds a symbolic link (index.html); refused');
    if (roMount) expect(await readdir(ro)).toEqual([]);
  });
});

describe('bad input is exit 2', () => {
  it('empty --backend and --workload selections', async () => {
    const out = path.join(root, 'empty-results');
    const [b, w, l] = await Promise.all([
      hvbench(['run', 'suites/quick.ts', '--backend', '', '--out', out]),
      hvbench(['run', 'suites/quick.ts', '--workload', ' ', '--out', out]),
      hvbench(['list', 'suites/quick.ts', '--backend', ',']),
    ]);
    expect([b.exitCode, w.exitCode, l.exitCode]).toEqual([2, 2, 2]);
    expect(b.stderr).toContain('--backend: expected at least one backend name, received an empty list');
    expect(w.stderr).toContain('--workload: expected at least one workload name, received an empty list');
    expect(l.stderr).toContain('--backend: expected at least one backend name');
    await expect(stat(out)).rejects.toThrow();
  });

  it('a bad hosts file', async () => {
    const file = path.join(root, 'hosts.json');
    await writeFile(file, '{ "hosts": [ { "name": "x" } ] }');
    const r = await hvbench(['hosts', '--hosts-file', file]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${file}: hosts[0].address`);
  });

  it('export of a run without samples.jsonl names the file', async () => {
    const bare = await damagedCopy(good, 'bare');
    await unlink(path.join(bare, 'samples.jsonl'));
    const r = await hvbench(['export', 'csv', bare]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${path.join(bare, 'samples.jsonl')}: missing`);
    expect(r.stdout).toBe('');
  });
});

describe('numbers and duplicates', () => {
  it('extreme values are left out with a warning naming the line; −0 reads as 0', async () => {
    const extreme = await damagedCopy(good, 'extreme');
    const file = path.join(extreme, 'samples.jsonl');
    const first = JSON.parse((await readFile(file, 'utf8')).split('\n')[0]!) as { dims: Record<string, unknown> };
    const line = (value: string, rep: number) =>
      `{"metric":"cpu.events_per_s","value":${value},"unit":"events/s","better":"higher","dims":${JSON.stringify({ ...first.dims, rep })},"ts":"2026-01-01T08:00:00.000Z"}\n`;
    await appendFile(file, line('1e308', 11) + line('5e-324', 12) + line('-1.7e308', 13) + line('-0', 14));
    const r = await hvbench(['export', 'csv', extreme]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`${file} line 11: left out: metric cpu.events_per_s: value 1e+308 is above 1000000000000000`);
    expect(r.stderr).toContain(`${file} line 12: left out: metric cpu.events_per_s: value 5e-324 is below 1e-15`);
    expect(r.stderr).toContain(`${file} line 13: left out: metric cpu.events_per_s: value -1.7e+308 is negative`);
    const rows = r.stdout.trim().split('\n');
    expect(rows).toHaveLength(1 + 10 + 1);
    expect(rows.at(-1)).toMatch(/^2026-01-01T08:00:00.000Z,cpu\.events_per_s,0,/);
    const c = await hvbench(['compare', extreme, good]);
    expect(c.stdout + c.stderr).not.toMatch(/NaN|Infinity/);
  });

  it('repeated lines and a copied run folder are never pooled', async () => {
    const hist = path.join(root, 'hist');
    const a = await makeRun(hist, 1);
    await makeRun(hist, 2);
    const copy = await damagedCopy(a, `${path.basename(a)}.bak`);
    const text = await readFile(path.join(copy, 'samples.jsonl'), 'utf8');
    await appendFile(path.join(copy, 'samples.jsonl'), text);
    const e = await hvbench(['export', 'csv', copy]);
    expect(e.exitCode).toBe(0);
    expect(e.stdout.trim().split('\n')).toHaveLength(11);
    expect(e.stderr).toContain(
      `${path.join(copy, 'samples.jsonl')} line 11: left out: a second sample of run ${path.basename(a)}, case tcg/cpu/threads=1, rep 1, metric cpu.events_per_s (the first is line 1)`,
    );
    const h = await hvbench(['history', hist, '--metric', 'cpu.events_per_s', '--json']);
    expect(h.stderr).toContain(`${copy}: skipped: the same run id ${path.basename(a)} as ${a}`);
    const json = JSON.parse(h.stdout) as { series: { points: { runs: string[]; summary: { n: number } }[] }[] };
    for (const s of json.series)
      expect(s.points.map((p) => [p.runs.length, p.summary.n])).toEqual([
        [1, 5],
        [1, 5],
      ]);
  });
});

describe('signals', () => {
  it('SIGTERM during list exits at once with 130, not after 15 s', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hvb-slow-suite-'));
    try {
      const file = path.join(dir, 'slow.mjs');
      const marker = path.join(dir, 'loading');
      // The suite says when it is loading (hvbench is up, its handlers installed), then waits a minute.
      await writeFile(
        file,
        `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, '');\nawait new Promise((r) => setTimeout(r, 60_000));\nexport default { name: 'slow', workloads: [{ workload: 'boot' }] };\n`,
      );
      const child = hvbench(['list', file]);
      for (let i = 0; i < 300 && !(await stat(marker).catch(() => undefined)); i++) await new Promise((r) => setTimeout(r, 100));
      const sent = Date.now();
      child.kill('SIGTERM');
      const r = await child;
      expect(r.exitCode).toBe(130);
      expect(r.stderr).toContain('hvbench: SIGTERM — stopped');
      expect(Date.now() - sent).toBeLessThan(5000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the report page', () => {
  it('allows only its own inline scripts, by hash: no unsafe-inline, no unsafe-eval', async () => {
    const out = path.join(root, 'report');
    const r = await hvbench(['report', good, '--out', out, '--no-figures']);
    expect(r.exitCode).toBe(0);
    const page = await readFile(path.join(out, 'index.html'), 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(page)![1]!.replaceAll('&#39;', "'");
    const scriptSrc = /script-src ([^;]*)/.exec(csp)![1]!.split(' ');
    expect(csp).not.toMatch(/unsafe-inline'[^;]*;[^;]*style|script-src[^;]*unsafe/);
    const scripts = [...page.matchAll(/<script(?: data-library="[^"]*" data-version="[^"]*")?>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts.length).toBe(4);
    expect(scriptSrc.sort()).toEqual(scripts.map((s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`).sort());
  }, 120_000);
});
