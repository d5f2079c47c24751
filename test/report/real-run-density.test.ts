import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compile } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type ReportModel } from '../../src/report/build.ts';
import type { ReportRun } from '../../src/report/input.ts';
import { densitySpec } from '../../src/report/specs/density.ts';
import { densityLatex } from '../../src/report/tables/density-latex.ts';
import { densityMarkdown } from '../../src/report/tables/density-markdown.ts';
import { writeReport } from '../../src/report/write.ts';
import { compareRuns } from '../../src/stats/compare-report.ts';
import { REPO } from '../support/cli.ts';
import { loadRealRun, REPORT_OPTIONS } from '../support/real-runs.ts';
import { checkPage, launchChromium } from './browser.ts';
import { compileLatex, expectCleanLatexLog } from './validate-files.ts';

// suites/density.ts run for real on native and tcg (test/fixtures/runs/density-native-tcg):
// sysbench cpu in 1 and then 2 guests (native: runs) at once, released by the start barrier,
// and 2 where guest 0 is a noisy neighbour (stress-ng's CPU load) and guest 1 is measured.
type Json = any;

const _ignore = REPORT_OPTIONS.ignore;
const options = REPORT_OPTIONS;
const ARTIFACTS = path.join(REPO, 'reports', 'test-artifacts');
let run: ReportRun;
let model: ReportModel;
let dir: string;

beforeAll(async () => {
  run = await loadRealRun('density-native-tcg');
  model = buildReport({ runs: [run], ...options, generatedAt: '2026-12-06T00:00:00Z' });
  dir = await mkdtemp(path.join(tmpdir(), 'hvb-density-report-'));
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a real density run (native and tcg, 1 and 2 guests at once, and 2 with a noisy neighbour)', () => {
  it("recorded each guest count as its own case, each guest's samples with its index and every sample with the count", () => {
    expect(run.record.cases.map((c) => [c.id, c.status, c.repetitionsDone])).toEqual(
      ['native', 'tcg'].flatMap((b) => [
        [`${b}/cpu/guests=1,maxPrime=10000,threads=1,timeSec=5`, 'completed', 3],
        [`${b}/cpu/guests=2,maxPrime=10000,threads=1,timeSec=5`, 'completed', 3],
        [`${b}/cpu/guests=2,neighbour=stress,maxPrime=10000,threads=1,timeSec=5`, 'completed', 3],
      ]),
    );
    for (const s of run.samples) expect(s.dims.guests, `${s.metric} ${s.dims.case}`).toBe(Number(/guests=(\d)/.exec(String(s.dims.case))![1]));
    const eps = run.samples.filter((s) => s.metric === 'cpu.events_per_s');
    expect(eps.map((s) => `${s.dims.backend} ${s.dims.guests} ${s.dims.guest_index} ${s.dims.neighbour ?? 'quiet'}`).sort()).toEqual(
      ['native', 'tcg']
        .flatMap((b) => [
          ...Array(3).fill(`${b} 1 0 quiet`),
          ...Array(3).fill(`${b} 2 0 quiet`),
          ...Array(3).fill(`${b} 2 1 quiet`),
          // The neighbour, guest 0, is not measured: only guest 1 of that case has samples.
          ...Array(3).fill(`${b} 2 1 stress`),
        ])
        .sort(),
    );
    expect(run.samples.some((s) => s.dims.neighbour === 'stress' && s.dims.guest_index === 0)).toBe(false);
    for (const s of run.samples.filter((x) => /\.(sum|jain|min_max_ratio)$/.test(x.metric))) expect(s.dims).not.toHaveProperty('guest_index');
  });

  it("sums each repetition's guests and rates their fairness from the same values", () => {
    for (const backend of ['native', 'tcg'])
      for (const rep of [1, 2, 3]) {
        const of = (metric: string) =>
          run.samples.filter((s) => s.metric === metric && s.dims.backend === backend && s.dims.guests === 2 && s.dims.rep === rep && !('neighbour' in s.dims));
        const guests = of('cpu.events_per_s').map((s) => s.value);
        expect(guests).toHaveLength(2);
        const [a, b] = guests as [number, number];
        expect(of('cpu.events_per_s.sum')[0]!.value).toBeCloseTo(a + b, 6);
        expect(of('cpu.events_per_s.min_max_ratio')[0]!.value).toBeCloseTo(Math.min(a, b) / Math.max(a, b), 10);
        expect(of('cpu.events_per_s.jain')[0]!.value).toBeCloseTo((a + b) ** 2 / (2 * (a * a + b * b)), 10);
        // One guest alone is perfectly fair with itself.
        const alone = run.samples.find((s) => s.metric === 'cpu.events_per_s.jain' && s.dims.backend === backend && s.dims.guests === 1 && s.dims.rep === rep);
        expect(alone?.value).toBe(1);
      }
  });

  it('draws the sum, each guest, and the fairness against the guest count, a line per backend with intervals', () => {
    const density = model.density!;
    expect(density).toBeDefined();
    expect([density.variants, density.guests, density.workloads]).toEqual([['native', 'tcg'], [1, 2], ['cpu']]);
    expect(density.metrics.map((m) => [m.metric, m.kind])).toEqual([
      ['cpu.events_per_s.sum', 'sum'],
      ['cpu.events_per_s', 'per guest'],
      ['cpu.events_per_s.jain', 'jain'],
      ['cpu.events_per_s.min_max_ratio', 'min_max_ratio'],
    ]);
    const [sum, perGuest] = density.metrics;
    // A line per backend, and one more for its case with a neighbour (a single point: 2 guests).
    expect(sum!.lines.map((l) => [l.variant, l.configuration, l.points.map((p) => `${p.guests}: n=${p.n}`)])).toEqual([
      ['native', '', ['1: n=3', '2: n=3']],
      ['native', 'noisy neighbour=stress', ['2: n=3']],
      ['tcg', '', ['1: n=3', '2: n=3']],
      ['tcg', 'noisy neighbour=stress', ['2: n=3']],
    ]);
    // Each guest's own samples pool: 3 repetitions of 1 guest, 3 of 2; beside a neighbour only guest 1's.
    expect(perGuest!.lines.map((l) => l.points.map((p) => p.n))).toEqual([[3, 6], [3], [3, 6], [3]]);
    // The interference penalty: guest 1 beside the neighbour against the quiet case's guests, per backend.
    expect(density.penalties.map((p) => [p.variant, p.guests, p.n])).toEqual([
      ['native', 2, { noisy: 3, quiet: 6 }],
      ['tcg', 2, { noisy: 3, quiet: 6 }],
    ]);
    for (const p of density.penalties) {
      const line = (configuration: string) => perGuest!.lines.find((l) => l.variant === p.variant && l.configuration === configuration)!;
      expect(p.ratio).toBeCloseTo(line('noisy neighbour=stress').points[0]!.mean / line('').points[1]!.mean, 1);
      expect(p.lo! < p.ratio && p.ratio < p.hi!).toBe(true);
    }
    // With one guest the sum is that guest's figure.
    for (const [i, l] of sum!.lines.entries()) if (l.configuration === '') expect(l.points[0]!.mean).toBeCloseTo(perGuest!.lines[i]!.points[0]!.mean, 6);
    for (const l of sum!.lines) for (const p of l.points) expect(p.lo! <= p.mean && p.mean <= p.hi!).toBe(true);
    expect(model.charts.filter((c) => c.id.startsWith('density-')).map((c) => c.id)).toEqual(['density-cpu']);
  });

  it('compiles its figure with vega-lite without a warning: four panels, two a row, fairness on 0–1', () => {
    const spec = densitySpec(model.density!, 'cpu') as Json;
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
    const panels = spec.vconcat.flatMap((r: { hconcat: Json[] }) => r.hconcat);
    expect(panels.map((p: { title: { text: string } }) => p.title.text)).toEqual([
      'sum over the guests ↑',
      'each guest ↑',
      "Jain's fairness index ↑",
      'smallest guest ÷ largest ↑',
    ]);
    expect(panels[2].layer[1].encoding.y.scale.domain).toEqual([0, 1.05]);
    expect(panels[0].data.values.map((d: { line: string; guests: number }) => `${d.line} ${d.guests}`)).toEqual([
      'native 1',
      'native 2',
      'native noisy neighbour=stress 2',
      'tcg 1',
      'tcg 2',
      'tcg noisy neighbour=stress 2',
    ]);
    // The neighbour's line is dashed apart from its backend's own.
    expect(panels[0].layer[1].encoding.strokeDash.field).toBe('line');
  });

  it('compiles its LaTeX table with pdflatex', async () => {
    expectCleanLatexLog(await compileLatex(densityLatex(model.density!, 'Density: guests at once'), 'onecolumn'), 'density.tex');
  });

  it('has no density section for a run without density cases', async () => {
    const single = await loadRealRun('scaling-native-tcg');
    expect(buildReport({ runs: [single], ...options, generatedAt: '2026-12-06T00:00:00Z' }).density).toBeUndefined();
  });

  it('matches every series of the run against itself as a baseline, each guest count apart', () => {
    const gate = compareRuns({ id: 'a', samples: run.samples }, { id: 'b', samples: run.samples }, options);
    expect(gate.unmatched).toEqual({ onlyA: [], onlyB: [] });
    const sums = gate.rows.filter((r) => r.metric === 'cpu.events_per_s');
    expect(sums.map((r) => `${r.dims.backend} ${r.dims.guests} ${r.dims.neighbour ?? 'quiet'}`).sort()).toEqual([
      'native 1 quiet',
      'native 2 quiet',
      'native 2 stress',
      'tcg 1 quiet',
      'tcg 2 quiet',
      'tcg 2 stress',
    ]);
  });

  it('writes the density tables and a page that draws every chart in Chromium', { timeout: 180_000 }, async () => {
    const out = path.join(dir, 'report');
    await writeReport(model, out);
    const md = await readFile(path.join(out, 'density.md'), 'utf8');
    expect(md).toBe(`# ${model.title}: guests at once on one host\n\n${densityMarkdown(model.density!)}`);
    expect(md).toContain('| metric | guests | native | tcg |');
    expect(
      md
        .split('\n')
        .filter((l) => l.startsWith('| CPU: sysbench events per second, sum over the guests (events/s) ↑ |'))
        .map((l) => l.split(' | ')[1]),
    ).toEqual(['1 guest', '2 guests', '2 guests, noisy neighbour=stress']);
    expect(md).toMatch(
      /\| CPU: sysbench events per second, beside a stress-ng neighbour ÷ without \| 2 guests \| [\d.]+× \[[\d.]+, [\d.]+\] \| [\d.]+× \[[\d.]+, [\d.]+\] \|/,
    );
    const tex = await readFile(path.join(out, 'density.tex'), 'utf8');
    // Each of the four metrics at 2 guests, quiet and beside the neighbour, and the penalty's row.
    expect(tex.match(/\\hspace\*\{0\.5em\}2 guests/g)).toHaveLength(9);
    const browser = await launchChromium();
    try {
      const result = await checkPage(browser, path.join(out, 'index.html'), path.join(ARTIFACTS, 'real-density.png'));
      expect(result.problems).toEqual([]);
      for (const c of result.charts) expect([c.id, c.rendered, c.svg]).toEqual([c.id, 'true', true]);
      expect(result.text).toContain('Density: guests at once on one host');
    } finally {
      await browser.close();
    }
  });
});
