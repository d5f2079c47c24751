import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

// The demo's steps (scripts/demo.sh), as a new user types them: the shipped quick suite,
// relative --out folders, from a working directory that is not the checkout. Narrowed to a
// few workloads and two repetitions to keep CI short.
const BIN = join(REPO, 'bin/hvbench.js');
let cwd: string;
const hvb = (args: string[], timeout: number) => execa('node', [BIN, ...args], { cwd, reject: false, env: { CI: '1' }, timeout });

beforeAll(async () => {
  await guestImage();
  cwd = await mkdtemp(join(tmpdir(), 'hvb-demo-'));
}, IMAGE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

interface Record {
  status: string;
  backends: { backend: string; available: boolean; reason: string }[];
  cases: { id: string; backend: string; status: string; error?: { message: string; code?: string } }[];
}

describe('the demo, end to end', () => {
  it('runs the quick suite on every backend the host can run, skips the others with the reason, and reports', { timeout: 15 * 60_000 }, async () => {
    const run = await hvb(['run', join(REPO, 'suites/quick.ts'), '--out', 'results', '--workload', 'boot,cpu,disk', '--repetitions', '2'], 12 * 60_000);
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const dir = /^results: (.+)$/m.exec(run.stdout)?.[1];
    expect(dir).toBe(join(cwd, 'results', (await readdir(join(cwd, 'results')))[0]!));
    const record = JSON.parse(await readFile(join(dir!, 'run.json'), 'utf8')) as Record;
    expect(record.status).toBe('completed');
    expect(record.backends.map((b) => b.backend).sort()).toEqual(['kvm', 'native', 'tcg', 'xen']);
    const samples = (await readFile(join(dir!, 'samples.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { dims: { backend: string } });
    const measured = new Set(samples.map((s) => s.dims.backend));
    expect(measured).toContain('native');
    expect(measured).toContain('tcg');
    for (const b of record.backends) {
      const cases = record.cases.filter((c) => c.backend === b.backend);
      expect(cases.length, b.backend).toBe(3);
      if (b.available) {
        for (const c of cases) expect([c.id, c.status]).toEqual([c.id, 'completed']);
        expect(measured).toContain(b.backend);
      } else {
        // Skipped with doctor's reason, announced once for the backend (not per case).
        for (const c of cases)
          expect([c.id, c.status, c.error]).toEqual([
            c.id,
            'skipped',
            { message: `backend ${b.backend} cannot run here: ${b.reason}`, code: 'backend-unavailable' },
          ]);
        expect(run.stderr.split('\n').filter((l) => l.startsWith(`backend ${b.backend} cannot run here: `))).toEqual([
          `backend ${b.backend} cannot run here: ${b.reason} — 3 cases skipped`,
        ]);
        expect(measured).not.toContain(b.backend);
      }
    }

    const report = await hvb(['report', dir!, '--out', join('reports', 'demo')], 5 * 60_000);
    expect(report.exitCode, report.stdout + report.stderr).toBe(0);
    const files = await readdir(join(cwd, 'reports', 'demo'));
    for (const f of ['index.html', 'summary.md', 'summary.tex']) expect(files).toContain(f);
    expect(report.stdout).toContain('index.html');
    await access(join(cwd, 'reports', 'demo', 'index.html'));
  });

  it('exits 1 when no case of the run can run here (only unavailable backends asked for)', { timeout: 5 * 60_000 }, async () => {
    const doctor = await hvb(['doctor', '--json'], 120_000);
    const unavailable = (JSON.parse(doctor.stdout) as { backends: { backend: string; available: boolean }[] }).backends.find((b) => !b.available);
    if (!unavailable) return expect(unavailable, 'every backend runs on this host: nothing to check').toBeUndefined();
    const r = await hvb(['run', join(REPO, 'suites/quick.ts'), '--out', 'results-none', '--backend', unavailable.backend, '--workload', 'boot'], 4 * 60_000);
    expect(r.exitCode, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^backend ${unavailable.backend} cannot run here: .* — 1 case skipped$`, 'm'));
    expect(r.stderr).toContain('no case of this run could run here');
  });
});
