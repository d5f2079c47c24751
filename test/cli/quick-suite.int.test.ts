import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPage, launchChromium } from '../report/browser.ts';
import { validateReportFiles } from '../report/validate-files.ts';
import { hvbench, REPO } from '../support/cli.ts';
import { guestImage, IMAGE_BUILD_TIMEOUT_MS } from '../support/guest-image.ts';

// The shipped quick suite as the demo runs it, every case of every workload family, with two
// repetitions instead of the suite's three (the same paths, a third less CI time): every case
// must complete.
let out: string;
beforeAll(async () => {
  await guestImage();
  out = await mkdtemp(join(tmpdir(), 'hvb-quick-'));
}, IMAGE_BUILD_TIMEOUT_MS);
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('suites/quick.ts on this host', () => {
  it('runs fully: every case that can run here completed, samples from every workload family', { timeout: 20 * 60_000 }, async () => {
    const r = await hvbench(['run', 'suites/quick.ts', '--repetitions', '2', '--out', out], { timeoutMs: 19 * 60_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const [runId] = await readdir(out);
    const record = JSON.parse(await readFile(join(out, runId!, 'run.json'), 'utf8'));
    expect(record.status).toBe('completed');
    const available = new Set(record.backends.filter((b: { available: boolean }) => b.available).map((b: { backend: string }) => b.backend));
    expect(available).toContain('tcg');
    for (const c of record.cases) {
      // A backend whose probe said no is skipped with its reason; native has no NIC for the net case.
      if (!available.has(c.backend)) expect([c.id, c.status, c.error?.code]).toEqual([c.id, 'skipped', 'backend-unavailable']);
      else if (c.backend === 'native' && c.workload === 'net') expect([c.id, c.status]).toEqual([c.id, 'skipped']);
      else expect([c.id, c.status]).toEqual([c.id, 'completed']);
    }
    const metrics = new Set(
      (await readFile(join(out, runId!, 'samples.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).metric as string),
    );
    for (const m of ['boot.to_ready_ms', 'cpu.events_per_s', 'memory.read_mib_s', 'disk.seq_read_mib_s', 'micro.cpuid_ns', 'net.tx_gbit_s'])
      expect(metrics).toContain(m);
  });
});

describe('hvbench report on the quick suite run', () => {
  // The run the test above produced, in `out`: reported on, not run again.
  let runDir: string | undefined;

  it('writes every file of a report, all valid, and the page draws every chart', { timeout: 5 * 60_000 }, async () => {
    const [runId] = (await readdir(out)).filter((name) => name.includes('-quick-'));
    expect(runId, 'the quick suite run of the test above').toBeDefined();
    runDir = join(out, runId!);
    const reportDir = join(out, 'report');
    const r = await hvbench(['report', runDir, '--out', reportDir, '--json'], { timeoutMs: 4 * 60_000 });
    expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    const written = JSON.parse(r.stdout) as { files: string[]; charts: string[] };
    expect(written.charts).toEqual(expect.arrayContaining(['metric-cpu.events_per_s', 'metric-disk.seq_read_mib_s', 'boot', 'micro-costs']));
    await validateReportFiles(reportDir, written.files, written.charts);
    await mkdir(join(REPO, 'reports', 'test-artifacts'), { recursive: true });
    const browser = await launchChromium();
    try {
      const page = await checkPage(browser, join(reportDir, 'index.html'), join(REPO, 'reports', 'test-artifacts', 'quick-suite-report.png'));
      expect(page.problems).toEqual([]);
      for (const c of page.charts) expect([c.id, c.rendered, c.svg]).toEqual([c.id, 'true', true]);
    } finally {
      await browser.close();
    }
  });
});
