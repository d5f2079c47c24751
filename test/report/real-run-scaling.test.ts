import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compile } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type ReportModel } from '../../src/report/build.ts';
import type { ReportRun } from '../../src/report/input.ts';
import { scalingSpec } from '../../src/report/specs/scaling.ts';
import { scalingLatex } from '../../src/report/tables/scaling-latex.ts';
import { writeReport } from '../../src/report/write.ts';
import { compareRuns, compareWithin } from '../../src/stats/compare-report.ts';
import { buildHistory } from '../../src/stats/history.ts';
import { settingsFor } from '../../src/stats/thresholds.ts';
import { REPO } from '../support/cli.ts';
import { loadRealRun, REPORT_OPTIONS } from '../support/real-runs.ts';
import { checkPage, launchChromium } from './browser.ts';
import { compileLatex, expectCleanLatexLog } from './validate-files.ts';

// suites/scaling.ts run for real on native and tcg (test/fixtures/runs/scaling-native-tcg):
// cpu and memory at 1 and 2 vCPUs, their threads following the vCPUs, native at as many threads.
type Json = any;

const ignore = REPORT_OPTIONS.ignore;
const options = REPORT_OPTIONS;
const ARTIFACTS = path.join(REPO, 'reports', 'test-artifacts');
let run: ReportRun;
let model: ReportModel;
let dir: string;

beforeAll(async () => {
  run = await loadRealRun('scaling-native-tcg');
  model = buildReport({ runs: [run], ...options, generatedAt: '2026-12-06T00:00:00Z' });
  dir = await mkdtemp(path.join(tmpdir(), 'hvb-scaling-report-'));
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a real scaling run (native and tcg at 1 and 2 vCPUs)', () => {
  it('recorded each shape as its own case, the threads following the vCPUs on both backends', () => {
    expect(run.record.cases.map((c) => c.id)).toEqual([
      'native/cpu/guest.vcpus=1,maxPrime=10000,threads=1,timeSec=5',
      'native/cpu/guest.vcpus=2,maxPrime=10000,threads=2,timeSec=5',
      'native/memory/guest.vcpus=1,blockKiB=1024,threads=1,timeSec=2',
      'native/memory/guest.vcpus=2,blockKiB=1024,threads=2,timeSec=2',
      'tcg/cpu/guest.vcpus=1,maxPrime=10000,threads=1,timeSec=5',
      'tcg/cpu/guest.vcpus=2,maxPrime=10000,threads=2,timeSec=5',
      'tcg/memory/guest.vcpus=1,blockKiB=1024,threads=1,timeSec=2',
      'tcg/memory/guest.vcpus=2,blockKiB=1024,threads=2,timeSec=2',
    ]);
    expect(run.record.cases.every((c) => c.status === 'completed')).toBe(true);
    for (const s of run.samples) expect(s.dims['param.threads'], s.dims.case as string).toBe(s.dims.vcpus);
    expect(new Set(run.samples.map((s) => s.dims.vcpus))).toEqual(new Set([1, 2]));
    expect(run.samples.some((s) => 'overcommit' in s.dims)).toBe(false);
  });

  it('pairs tcg with native at the same vCPU count only, never across counts', () => {
    const within = compareWithin({ id: run.record.id, samples: run.samples }, 'backend', 'native', options);
    const cpu = within.rows.filter((r) => r.metric === 'cpu.events_per_s');
    expect(cpu.map((r) => r.dims.vcpus).sort()).toEqual([1, 2]);
    for (const r of cpu) {
      expect(r.a.n).toBe(3);
      expect(r.b.n).toBe(3);
      // TCG is far below native at either size, and the interval says so.
      expect(r.comparison.ratioCi!.hi).toBeLessThan(1);
    }
    expect(within.unmatched.onlyA).toEqual([]);
    expect(within.unmatched.onlyB).toEqual([]);
  });

  it('draws a scaling curve per workload: every own metric, a line per backend, a point per vCPU count with its intervals', () => {
    const scaling = model.scaling!;
    expect(scaling).toBeDefined();
    expect([scaling.reference, scaling.variants, scaling.vcpus, scaling.workloads]).toEqual(['native', ['native', 'tcg'], [1, 2], ['cpu', 'memory']]);
    expect(scaling.metrics.map((m) => m.metric)).toEqual([
      'cpu.events_per_s',
      'cpu.latency_avg_ms',
      'cpu.latency_p95_ms',
      'memory.read_mib_s',
      'memory.write_mib_s',
    ]);
    const events = scaling.metrics[0]!;
    expect(events.lines.map((l) => [l.variant, l.configuration, l.following, l.points.map((p) => [p.vcpus, p.n])])).toEqual([
      [
        'native',
        '',
        ['threads'],
        [
          [1, 3],
          [2, 3],
        ],
      ],
      [
        'tcg',
        '',
        ['threads'],
        [
          [1, 3],
          [2, 3],
        ],
      ],
    ]);
    for (const p of events.lines[1]!.points) {
      expect(p.lo! < p.mean && p.mean < p.hi!).toBe(true);
      expect(p.ratio!.value).toBeLessThan(1);
      expect(p.ratio!.lo! < p.ratio!.value && p.ratio!.value < p.ratio!.hi!).toBe(true);
    }
    // The ratio is the report's bar: mean ÷ mean of native at as many threads.
    const native = events.lines[0]!.points;
    for (const [i, p] of events.lines[1]!.points.entries()) expect(p.ratio!.value).toBeCloseTo(p.mean / native[i]!.mean, 10);
    expect(model.charts.filter((c) => c.id.startsWith('scaling-')).map((c) => c.id)).toEqual(['scaling-cpu', 'scaling-memory']);
  });

  it('compiles its figure with vega-lite without a warning: a row per metric, the mean and the ratio to native side by side', () => {
    const spec = scalingSpec(model.scaling!, 'cpu') as Json;
    const warnings: string[] = [];
    const logger: Json = {
      level: () => logger,
      error: (m: string) => warnings.push(m),
      warn: (m: string) => warnings.push(m),
      info: () => logger,
      debug: () => logger,
    };
    expect(() => compile(spec, { logger })).not.toThrow();
    expect(warnings).toEqual([]);
    expect(spec.vconcat.map((r: { title: { text: string } }) => r.title.text)).toEqual([
      'CPU: sysbench events per second ↑',
      'CPU: mean event latency ↓',
      'CPU: p95 event latency ↓',
    ]);
    const [value, ratio] = spec.vconcat[0].hconcat;
    expect(value.data.values.map((d: { backend: string; vcpus: number }) => `${d.backend} ${d.vcpus}`)).toEqual(['native 1', 'native 2', 'tcg 1', 'tcg 2']);
    // The reference is the dashed line at 1, not a line of its own.
    expect(ratio.data.values.map((d: { backend: string; vcpus: number }) => `${d.backend} ${d.vcpus}`)).toEqual(['tcg 1', 'tcg 2']);
    expect(ratio.layer[0].encoding.y.datum).toBe(1);
    // Every interval within the axis.
    const top = value.encoding?.y?.scale?.domain ?? value.layer[1].encoding.y.scale.domain;
    for (const d of value.data.values) expect(d.hi).toBeLessThanOrEqual(top[1]);
  });

  it('compiles its LaTeX table with pdflatex', async () => {
    expectCleanLatexLog(await compileLatex(scalingLatex(model.scaling!, "Scaling with the guest's vCPUs"), 'onecolumn'), 'scaling.tex');
  });

  it('has no scaling section for a run of one guest size', async () => {
    const single = await loadRealRun('native-tcg-local');
    expect(buildReport({ runs: [single], ...options, generatedAt: '2026-12-06T00:00:00Z' }).scaling).toBeUndefined();
  });

  it('matches every series of the run against itself as a baseline, each vCPU count apart', () => {
    const gate = compareRuns({ id: 'a', samples: run.samples }, { id: 'b', samples: run.samples }, options);
    expect(gate.unmatched).toEqual({ onlyA: [], onlyB: [] });
    const cpu = gate.rows.filter((r) => r.metric === 'cpu.events_per_s');
    expect(cpu.map((r) => `${r.dims.backend} ${r.dims.vcpus}`).sort()).toEqual(['native 1', 'native 2', 'tcg 1', 'tcg 2']);
    for (const r of gate.rows) expect(r.comparison.ratio).toBeCloseTo(1, 10);
  });

  it('keeps a history per backend and vCPU count', () => {
    const later = run.samples.map((s) => ({ ...s, dims: { ...s.dims, run: 'later' } }));
    const runs = [
      { id: run.record.id, startedAt: run.record.startedAt, revision: run.record.hvbench.revision, samples: run.samples },
      { id: 'later', startedAt: '2099-01-01T00:00:00Z', revision: run.record.hvbench.revision, samples: later },
    ];
    const history = buildHistory(runs, { metric: 'memory.read_mib_s', ignore, settings: (m) => settingsFor(m, []), seed: 1 });
    expect(history.map((h) => `${h.dims.backend} ${h.dims.vcpus}`).sort()).toEqual(['native 1', 'native 2', 'tcg 1', 'tcg 2']);
    for (const h of history) expect(h.points.map((p) => p.runs[0])).toEqual([run.record.id, 'later']);
  });

  it('writes the scaling tables, with a row per metric and vCPU count, and a page that draws every chart in Chromium', { timeout: 180_000 }, async () => {
    const out = path.join(dir, 'report');
    await writeReport(model, out);
    const md = await readFile(path.join(out, 'scaling.md'), 'utf8');
    expect(md).toContain('| metric | guest | native | tcg |');
    expect(
      md
        .split('\n')
        .filter((l) => l.startsWith('| CPU: sysbench events per second (events/s) ↑ |'))
        .map((l) => l.split(' | ')[1]),
    ).toEqual(['1 vCPU', '2 vCPUs']);
    expect(md).toMatch(/\| 1 vCPU \| [\d.]+ \[[\d.]+, [\d.]+\] \| [\d.]+ \[[\d.]+, [\d.]+\]; 0\.\d+× \[[\d.]+, [\d.]+\] ÷ native \|/);
    const tex = await readFile(path.join(out, 'scaling.tex'), 'utf8');
    expect(tex).toContain('\\begin{xltabular}');
    expect(tex.match(/\\hspace\*\{0\.5em\}2 vCPUs/g)).toHaveLength(5);
    const spec = JSON.parse(await readFile(path.join(out, 'scaling-cpu.vl.json'), 'utf8'));
    expect(spec.vconcat).toHaveLength(3);
    const browser = await launchChromium();
    try {
      const result = await checkPage(browser, path.join(out, 'index.html'), path.join(ARTIFACTS, 'real-scaling.png'));
      expect(result.problems).toEqual([]);
      for (const c of result.charts) expect([c.id, c.rendered, c.svg]).toEqual([c.id, 'true', true]);
      expect(result.text).toContain("Scaling with the guest's vCPUs");
    } finally {
      await browser.close();
    }
  });
});
