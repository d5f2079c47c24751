import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compile } from 'vega-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type ReportModel } from '../../src/report/build.ts';
import { buildIoPath, type IoPath } from '../../src/report/io-path.ts';
import type { ReportRun } from '../../src/report/input.ts';
import { ioPathSpec } from '../../src/report/specs/io-path.ts';
import { ioPathLatex } from '../../src/report/tables/io-path-latex.ts';
import { ioPathMarkdown } from '../../src/report/tables/io-path-markdown.ts';
import { writeReport } from '../../src/report/write.ts';
import type { Sample } from '../../src/results/sample.ts';
import { compareWithin } from '../../src/stats/compare-report.ts';
import { REPO } from '../support/cli.ts';
import { loadRealRun, REPORT_OPTIONS } from '../support/real-runs.ts';
import { checkPage, launchChromium } from './browser.ts';
import { compileLatex, expectCleanLatexLog } from './validate-files.ts';

// The I/O path section on a real run of suites/io-paths.ts (native and tcg): aio io_uring, an
// iothread and two queues against their base values, native only on the default path.
type Json = any;

const _ignore = REPORT_OPTIONS.ignore;
const options = REPORT_OPTIONS;
const DISK_METRICS = 8;
let run: ReportRun;
let ioPath: IoPath;

beforeAll(async () => {
  run = await loadRealRun('io-paths-native-tcg');
  ioPath = buildIoPath(run.samples, options, 'native')!;
});

const row = (knob: string, value: string, metric: string) => ioPath.rows.find((r) => r.knob === knob && r.value === value && r.metric === metric)!;

describe('the I/O path model', () => {
  it('finds the knobs the run varied, from the catalogue, each against its base value, on the backend that ran them', () => {
    expect(ioPath.knobs.map((k) => [k.dim, k.label, k.base, k.values, k.variants])).toEqual([
      ['param.aio', 'aio', 'threads', ['io_uring'], ['tcg']],
      ['param.iothread', 'iothread', 'false', ['true'], ['tcg']],
      ['param.queues', 'queues', '1', ['2'], ['tcg']],
    ]);
    expect(ioPath.variants).toEqual(['tcg']);
    expect(ioPath.workloads).toEqual(['disk']);
    expect(ioPath.reference).toBe('native');
    expect(ioPath.unpaired).toEqual([]);
  });

  it("has a row per knob change and disk metric, only the workload's own metrics, 3 repetitions a side", () => {
    expect(ioPath.rows).toHaveLength(3 * DISK_METRICS);
    for (const r of ioPath.rows) {
      expect(r.metric, r.metric).toMatch(/^disk\./);
      expect([r.n, r.nBase]).toEqual([3, 3]);
      expect(r.variant).toBe('tcg');
    }
    expect(new Set(ioPath.rows.map((r) => r.change))).toEqual(new Set(['aio: io_uring vs threads', 'iothread: true vs false', 'queues: 2 vs 1']));
  });

  it('gives exactly what compare --by <knob> --reference <base> gives, the verdict read as faster or slower', () => {
    const byQueues = compareWithin({ id: run.record.id, samples: run.samples }, 'param.queues', '1', options);
    for (const metric of ['disk.rand_write_iops', 'disk.rand_read_clat_p50_us', 'disk.seq_read_mib_s']) {
      const c = byQueues.rows.find((r) => r.metric === metric && r.value === '2')!.comparison;
      const r = row('param.queues', '2', metric);
      expect([r.ratio, r.lo, r.hi]).toEqual([c.ratio, c.ratioCi?.lo, c.ratioCi?.hi]);
      expect(r.verdict).toBe({ better: 'faster', worse: 'slower', similar: 'similar', inconclusive: 'inconclusive' }[c.verdict as string]);
    }
    // Two queues against one: more random-write IOPS (higher is better) and a shorter latency (lower is better) are both faster.
    expect(row('param.queues', '2', 'disk.rand_write_iops').verdict).toBe('faster');
    expect(row('param.queues', '2', 'disk.rand_write_iops').lo!).toBeGreaterThan(1);
    expect(row('param.queues', '2', 'disk.rand_write_clat_p50_us').verdict).toBe('faster');
    expect(row('param.queues', '2', 'disk.rand_write_clat_p50_us').hi!).toBeLessThan(1);
    // Three repetitions on a loaded 2-core machine under TCG: io_uring's intervals all contain 1.
    for (const r of ioPath.rows.filter((x) => x.knob === 'param.aio')) expect(r.verdict, r.metric).toBe('inconclusive');
  });

  it("gives native's mean over each base path: the inverse of the backend comparison's row for that path", () => {
    const byBackend = compareWithin({ id: run.record.id, samples: run.samples }, 'backend', 'native', options);
    const base = byBackend.rows.find((r) => r.metric === 'disk.rand_read_iops' && r.dims['param.aio'] === 'threads' && r.dims['param.queues'] === undefined)!;
    const aio = row('param.aio', 'io_uring', 'disk.rand_read_iops');
    expect(aio.reference!.ratio).toBeCloseTo(1 / base.comparison.ratio!, 12);
    expect(aio.reference!.lo).toBeCloseTo(1 / base.comparison.ratioCi!.hi, 12);
    expect(aio.reference!.hi).toBeCloseTo(1 / base.comparison.ratioCi!.lo, 12);
    // TCG's random reads are far from the host's; the queues rows are measured against the one-queue case, another base.
    expect(aio.reference!.ratio).toBeGreaterThan(5);
    expect(row('param.iothread', 'true', 'disk.rand_read_iops').reference).toEqual(aio.reference);
    const oneQueue = byBackend.rows.find((r) => r.metric === 'disk.rand_read_iops' && r.dims['param.queues'] === 1)!;
    expect(row('param.queues', '2', 'disk.rand_read_iops').reference!.ratio).toBeCloseTo(1 / oneQueue.comparison.ratio!, 12);
  });

  it('compares a shared folder with block although the device dimensions that follow it differ (virtiofs has no disk model)', () => {
    // The disk cases recast as file work: the default path as `block` (ext4 on virtio-blk), io_uring's as `virtiofs`, native in the host folder.
    const fs: Sample[] = run.samples.flatMap((s): Sample[] => {
      const d = s.dims;
      if (!s.metric.startsWith('disk.') || d['param.iothread'] !== false || d['param.queues'] !== undefined) return [];
      const { 'param.aio': aio, 'param.iothread': _iothread, disk_model: model, ...rest } = d;
      const metric = s.metric.replace(/^disk\./, 'fs.');
      if (d.backend === 'native') return [{ ...s, metric, dims: { ...rest, workload: 'fs', 'param.share': 'block', share: 'host-dir' } }];
      const share = aio === 'threads' ? 'block' : 'virtiofs';
      return [{ ...s, metric, dims: { ...rest, workload: 'fs', 'param.share': share, share, ...(share === 'block' ? { disk_model: model } : {}) } }];
    });
    const shares = buildIoPath(fs, options, 'native')!;
    expect(shares.knobs.map((k) => [k.dim, k.label, k.base, k.values, k.variants])).toEqual([['share', 'shared folder', 'block', ['virtiofs'], ['tcg']]]);
    expect(shares.workloads).toEqual(['fs']);
    expect(shares.rows).toHaveLength(DISK_METRICS);
    const seq = shares.rows.find((r) => r.metric === 'fs.seq_read_mib_s')!;
    expect(seq.change).toBe('shared folder: virtiofs vs block');
    expect(seq.ratio).toBeCloseTo(row('param.aio', 'io_uring', 'disk.seq_read_mib_s').ratio!, 12);
    expect(seq.reference?.ratio).toBeCloseTo(row('param.aio', 'io_uring', 'disk.seq_read_mib_s').reference!.ratio, 12);
  });

  it('draws no reference when the report has none', () => {
    const without = buildIoPath(run.samples, options, undefined)!;
    expect(without.reference).toBeUndefined();
    expect(without.rows.every((r) => r.reference === undefined)).toBe(true);
  });

  it('takes its knobs from the catalogue: a cache parameter is a knob against none', () => {
    const renamed: Sample[] = run.samples.map((s) => {
      const { 'param.aio': aio, ...dims } = s.dims;
      return aio === undefined ? s : { ...s, dims: { ...dims, 'param.cache': aio === 'threads' ? 'none' : 'writeback' } };
    });
    const cache = buildIoPath(renamed, options, 'native')!;
    expect(cache.knobs.find((k) => k.dim === 'param.cache')).toMatchObject({ label: 'cache', base: 'none', values: ['writeback'] });
  });

  it('names a knob that ran without a case at its base value', () => {
    const noOneQueue = run.samples.filter((s) => s.dims['param.queues'] !== 1);
    const model = buildIoPath(noOneQueue, options, 'native')!;
    expect(model.knobs.map((k) => k.label)).toEqual(['aio', 'iothread']);
    expect(model.unpaired).toEqual(['tcg: queues 2 ran without a case at queues 1']);
    expect(ioPathMarkdown(model)).toContain('- tcg: queues 2 ran without a case at queues 1');
  });

  it('is absent when the run varied no knob', async () => {
    const quick = await loadRealRun('native-tcg-local');
    expect(buildIoPath(quick.samples, options, 'native')).toBeUndefined();
    const model = buildReport({ runs: [quick], ...options, generatedAt: '2026-12-06T00:00:00Z' });
    expect(model.ioPath).toBeUndefined();
    expect(model.charts.some((c) => c.id.startsWith('io-path'))).toBe(false);
  });
});

describe('the I/O path figure', () => {
  it('compiles with vega-lite: a panel per disk metric, a row per knob change, the line at 1, points filled only where the interval decides', () => {
    const spec = ioPathSpec(ioPath, 'disk') as Json;
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
    const rows: Json[] = spec.data.values;
    expect(rows).toHaveLength(3 * DISK_METRICS);
    expect(spec.facet.row.field).toBe('metric');
    expect(spec.facet.row.sort).toHaveLength(DISK_METRICS);
    expect(spec.facet.row.sort[0]).toBe('Disk: sequential read (MiB/s) ↑');
    expect(spec.resolve).toBeUndefined();
    const layers: Json[] = spec.spec.layer;
    expect(layers[0].mark.type).toBe('rule');
    expect(layers[0].encoding.x.datum).toBe(1);
    const points = layers.find((l) => l.mark.type === 'point' && l.encoding.color);
    expect(points.encoding.fillOpacity.condition.test).toBe('datum.decided');
    expect(rows.filter((r) => r.decided).map((r) => `${r.change} ${r.metric}`)).toEqual([
      'queues: 2 vs 1 Disk: random write IOPS (IOPS) ↑',
      'queues: 2 vs 1 Disk: random read latency p50 (µs) ↓',
      'queues: 2 vs 1 Disk: random write latency p50 (µs) ↓',
    ]);
    const faster = rows.find((r) => r.decided);
    expect(faster.label).toBe('▲ faster 2.27×');
  });

  it("keeps the axis to the knobs' intervals: native, 64× away, is written in its column and ticked only where it falls on the axis", () => {
    const spec = ioPathSpec(ioPath, 'disk') as Json;
    const rows: Json[] = spec.data.values;
    const [lo, hi] = spec.spec.layer[0].encoding.x.scale.domain;
    for (const r of rows) {
      expect(r.lo).toBeGreaterThan(lo);
      expect(r.hi).toBeLessThan(hi);
    }
    const far = rows.find((r) => r.change === 'queues: 2 vs 1' && r.metric.startsWith('Disk: random read IOPS'));
    expect(far.reference).toBeGreaterThan(hi);
    expect(far.referenceShown).toBeNull();
    expect(far.referenceNote).toBe('native 64×');
    const near = rows.find((r) => r.change === 'aio: io_uring vs threads' && r.metric.startsWith('Disk: sequential read'));
    expect(near.referenceShown).toBe(near.reference);
  });
});

describe('the I/O path tables', () => {
  it('Markdown: a row per knob change and metric, a column per backend, ratio, interval, verdict and native', () => {
    const md = ioPathMarkdown(ioPath);
    const lines = md.split('\n');
    expect(lines[0]).toBe('| knob | metric | tcg |');
    expect(lines.filter((l) => l.startsWith('| ') && !l.startsWith('| knob') && !l.startsWith('| ---'))).toHaveLength(3 * DISK_METRICS);
    expect(md).toContain('| queues: 2 vs 1 | Disk: random write IOPS (IOPS) ↑ | 2.27× [1.44, 3.57] ▲ faster; native 34.9× |');
    expect(md).toContain('| aio: io_uring vs threads | Disk: sequential read (MiB/s) ↑ | 0.68× [0.34, 1.38] ? inconclusive; native 0.98× |');
    expect(md).toContain("native n×: native's mean ÷ the base path's");
  });

  it('LaTeX: compiles with pdflatex on a one-column page without an overfull box, with four backends', async () => {
    expectCleanLatexLog(await compileLatex(ioPathLatex(ioPath, 'I/O path: each knob against its base value'), 'onecolumn'), 'io-path.tex');
    const four: IoPath = {
      ...ioPath,
      variants: ['kvm', 'xen pvh', 'tcg', 'tcg microvm'],
      rows: ioPath.rows.flatMap((r) => ['kvm', 'xen pvh', 'tcg', 'tcg microvm'].map((variant) => ({ ...r, variant, backend: variant.split(' ')[0]! }))),
    };
    const tex = ioPathLatex(four, 'I/O path of four backends');
    expect(tex).toContain('\\begin{xltabular}{\\textwidth}');
    expectCleanLatexLog(await compileLatex(tex, 'onecolumn'), 'io-path.tex, four backends');
  }, 60_000);
});

describe('the I/O path on the page', () => {
  const ARTIFACTS = path.join(REPO, 'reports', 'test-artifacts');
  let model: ReportModel;
  let dir: string;

  beforeAll(async () => {
    model = buildReport({ runs: [run], ...options, generatedAt: '2026-12-06T00:00:00Z' });
    dir = await mkdtemp(path.join(tmpdir(), 'hvb-io-path-report-'));
    await mkdir(ARTIFACTS, { recursive: true });
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes the section, its figure and its tables, and Chromium draws the page without a warning', async () => {
    expect(model.ioPath?.rows).toHaveLength(3 * DISK_METRICS);
    expect(model.charts.map((c) => c.id)).toContain('io-path-disk');
    const written = await writeReport(model, dir, { figures: false });
    expect(written.files).toEqual(expect.arrayContaining(['io-path.md', 'io-path.tex', 'io-path-disk.vl.json']));
    const page = await readFile(path.join(dir, 'index.html'), 'utf8');
    expect(page).toContain('<a href="#io-path">I/O path</a>');
    expect(page).toContain('<strong>Knobs:</strong> aio: io_uring against threads; iothread: true against false; queues: 2 against 1.');
    expect(page).toContain('<strong>Backends:</strong> tcg.');
    expect(page).toContain('<a href="#figure-io-path-disk">chart</a>');
    const browser = await launchChromium();
    try {
      const check = await checkPage(browser, path.join(dir, 'index.html'), path.join(ARTIFACTS, 'io-path-page.png'));
      expect(check.problems).toEqual([]);
      expect(check.charts.find((c) => c.id === 'chart-io-path-disk')).toEqual({ id: 'chart-io-path-disk', rendered: 'true', svg: true });
      expect(check.text).toContain('I/O path: each knob against its base value');
    } finally {
      await browser.close();
    }
  }, 120_000);
});
