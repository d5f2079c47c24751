import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/build.ts';
import { writeReport, type WrittenReport } from '../../src/report/write.ts';
import { REPO } from '../support/cli.ts';
import { checkPage, launchChromium } from './browser.ts';
import { HOSTILE, reportInput, reportRun, runSamples } from './fixtures.ts';
import { validateReportFiles } from './validate-files.ts';

// The whole report written to disk, then the page opened from disk in headless Chromium.
const ARTIFACTS = path.join(REPO, 'reports', 'test-artifacts');
let dir: string;
let written: WrittenReport;
let chartIds: string[];
let browser: Browser | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hvb-report-'));
  const base = reportRun('20260101-000000-fixture-base', '2026-01-01T00:00:00Z', runSamples('20260101-000000-fixture-base', { seed: 3 }));
  // A guest-controlled string in a dimension (shown in charts and tables) and in a case error.
  const samples = runSamples('20260102-000000-fixture-new0', { seed: 4, tcgCpuShift: 0.8, extraDims: { guest_kernel: HOSTILE } });
  samples.push({ ...samples[0]!, metric: 'net.tx_gbit_s', unit: 'Gbit/s', dims: { ...samples[0]!.dims, workload: 'net', 'param.tag': HOSTILE } });
  const run = reportRun('20260102-000000-fixture-new0', '2026-01-02T00:00:00Z', samples, [
    { id: 'xen/net/io=emulated', status: 'skipped', error: { message: `no emulated NIC: ${HOSTILE}` } },
  ]);
  const model = buildReport(reportInput([run], { baseline: base, title: `Fixture ${HOSTILE}` }));
  chartIds = model.charts.map((c) => c.id);
  written = await writeReport(model, dir);
  await mkdir(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the report folder', () => {
  it('holds the page, the tables and, per chart, a spec, an SVG and a PNG, all valid', async () => {
    expect(chartIds).toEqual(expect.arrayContaining(['comparison-cpu', 'metric-cpu.events_per_s', 'io-disk', 'boot', 'micro-costs', 'history']));
    await validateReportFiles(dir, written.files, chartIds);
  });
});

describe('the report page in headless Chromium', () => {
  it('draws every chart with no console error and no network request; guest strings show as text', { timeout: 120_000 }, async () => {
    // Launched in the test, so that a missing Chromium fails it (CI installs one) instead of skipping it.
    browser = await launchChromium();
    const result = await checkPage(browser, path.join(dir, 'index.html'), path.join(ARTIFACTS, 'report-page.png'));
    expect(result.problems).toEqual([]);
    expect(result.charts.map((c) => c.id)).toEqual(chartIds.map((id) => `chart-${id}`));
    for (const c of result.charts) expect([c.id, c.rendered, c.svg]).toEqual([c.id, 'true', true]);
    expect(result.pwned).toBeUndefined();
    expect(result.text).toContain('no emulated NIC: <script>window.__hvbPwned = 1</script>');
    expect(result.text).toContain('Fixture <script>');
    expect(result.text).toMatch(/Methodology[\s\S]*Test CPU 9000/);
  });
});
