import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, type ReportModel } from '../../src/report/build.ts';
import type { Chart } from '../../src/report/charts.ts';
import { renderFigures } from '../../src/report/render/figures.ts';
import { MAX_PNG_PIXELS } from '../../src/report/render/png.ts';
import { VEGA_LITE_SCHEMA } from '../../src/report/specs/common.ts';
import { writeReport, type WrittenReport } from '../../src/report/write.ts';
import { reportInput, reportRun, runSamples } from './fixtures.ts';

/** A chart taller than the PNG limit at 2×: 40 bars of 60 px each, 2400 px of plot. */
const TALL: Chart = {
  id: 'tall-chart',
  title: 'A tall chart',
  spec: {
    $schema: VEGA_LITE_SCHEMA,
    data: { values: Array.from({ length: 40 }, (_, i) => ({ row: `row ${String(i).padStart(2, '0')}`, value: i + 1 })) },
    mark: 'bar',
    height: { step: 60 },
    encoding: { y: { field: 'row', type: 'nominal' }, x: { field: 'value', type: 'quantitative' } },
  } as Chart['spec'],
};

describe('writeReport with a chart whose PNG would exceed the size limit', () => {
  let dir: string;
  let model: ReportModel;
  let written: WrittenReport;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hvb-figures-'));
    const run = reportRun('20260102-000000-fixture-new0', '2026-01-02T00:00:00Z', runSamples('20260102-000000-fixture-new0', { seed: 4 }));
    model = buildReport(reportInput([run]));
    model.charts.push(TALL);
    written = await writeReport(model, dir);
  }, 120_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('scales that PNG down to fit and keeps every other PNG within the limit too', async () => {
    for (const chart of model.charts) {
      const png = PNG.sync.read(await readFile(path.join(dir, `${chart.id}.png`)));
      expect(Math.max(png.width, png.height), chart.id).toBeLessThanOrEqual(MAX_PNG_PIXELS);
      expect(Math.min(png.width, png.height), chart.id).toBeGreaterThan(100);
    }
    const tall = PNG.sync.read(await readFile(path.join(dir, 'tall-chart.png')));
    expect(tall.height).toBe(MAX_PNG_PIXELS);
  });

  it('names each scaled chart in the warnings, on the page and in the model the command prints', async () => {
    const tall = written.warnings.filter((w) => w.text.startsWith('figure tall-chart.png'));
    expect(tall.map((w) => w.text)).toEqual([
      expect.stringMatching(/^figure tall-chart\.png: \d+ × \d+ px at 2× would exceed the 4000 px limit; scaled down to \d+ × 4000 px/),
    ]);
    expect(model.warnings).toContainEqual(tall[0]);
    const page = await readFile(path.join(dir, 'index.html'), 'utf8');
    expect(page).toContain('figure tall-chart.png');
    // A warning for exactly the charts whose PNG is at the limit.
    for (const chart of model.charts) {
      const png = PNG.sync.read(await readFile(path.join(dir, `${chart.id}.png`)));
      const warned = written.warnings.some((w) => w.text.startsWith(`figure ${chart.id}.png:`));
      expect([chart.id, warned], `${chart.id}: ${png.width} × ${png.height}`).toEqual([chart.id, Math.max(png.width, png.height) === MAX_PNG_PIXELS]);
    }
  });

  it('reports where the time went', () => {
    expect(written.timings.figures?.charts).toBe(model.charts.length);
    expect(written.timings.figures?.svgMs).toBeGreaterThan(0);
    expect(written.timings.figures?.pngMs).toBeGreaterThan(0);
  });
});

describe('renderFigures', () => {
  it('fails with the name of a chart vega cannot draw, after the figures under way are finished', async () => {
    const bad: Chart = {
      id: 'bad-chart',
      title: 'bad',
      spec: { $schema: VEGA_LITE_SCHEMA, data: { values: [{ a: 1 }] }, mark: 'no-such-mark', encoding: {} } as unknown as Chart['spec'],
    };
    const good: Chart = { ...TALL, id: 'good-chart', spec: { ...TALL.spec, height: 100 } as Chart['spec'] };
    const written: string[] = [];
    await expect(renderFigures([good, bad, good], async (c) => void written.push(c.id), { inFlight: 2 })).rejects.toThrow(
      /chart bad-chart: cannot render to SVG/,
    );
    expect(written).toEqual(['good-chart']);
  });

  it('hands every figure to the writer, with at most `inFlight` PNGs under way', async () => {
    const charts = Array.from({ length: 5 }, (_, i): Chart => ({ ...TALL, id: `c${i}`, spec: { ...TALL.spec, height: 60 } as Chart['spec'] }));
    let busy = 0;
    let most = 0;
    const seen: string[] = [];
    const r = await renderFigures(
      charts,
      async (c, svg, png) => {
        busy++;
        most = Math.max(most, busy);
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(svg).toMatch(/^<svg/);
        expect(PNG.sync.read(png).width).toBeGreaterThan(100);
        seen.push(c.id);
        busy--;
      },
      { inFlight: 2 },
    );
    expect(seen.sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(most).toBeLessThanOrEqual(2);
    expect(r.scaled).toEqual([]);
  });
});
