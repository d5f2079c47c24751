import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HvbError } from '../util/errors.ts';
import type { ReportModel } from './build.ts';
import { inlineLibraries } from './html/assets.ts';
import { renderPage } from './html/page.ts';
import { renderFigures, type FigureTimings } from './render/figures.ts';
import { summaryTable } from './tables/cells.ts';
import { latexTable } from './tables/latex.ts';
import { markdownTable } from './tables/markdown.ts';
import { pngScaleFor, sizeSpec, type FigureSize } from './specs/size.ts';
import { ioPathLatex } from './tables/io-path-latex.ts';
import { ioPathMarkdown } from './tables/io-path-markdown.ts';
import { scalingLatex } from './tables/scaling-latex.ts';
import { densityLatex } from './tables/density-latex.ts';
import { densityMarkdown } from './tables/density-markdown.ts';
import { scalingMarkdown } from './tables/scaling-markdown.ts';
import { overviewLatex } from './tables/overview-latex.ts';
import { explainedLatex } from './tables/explained-latex.ts';
import { explainedMarkdown } from './tables/explained-markdown.ts';
import { overviewMarkdown } from './tables/overview-markdown.ts';
import type { ReportWarning } from './warnings.ts';

/**
 * Writes a report folder: `index.html` (self-contained), per chart `<id>.vl.json`,
 * `<id>.svg` and `<id>.png`, and `summary.md` / `summary.tex`.
 *
 * The figures are drawn before the page, so that a figure that had to be scaled down to
 * fit the PNG size limit is among the page's warnings (it is appended to `model.warnings`,
 * which the command prints too).
 */

export const PAGE_FILE = 'index.html';

export interface WrittenReport {
  dir: string;
  /** Every file written, relative to `dir`. */
  files: string[];
  /** Size of index.html in bytes. */
  pageBytes: number;
  /** Warnings the figures added (also appended to the model's warnings). */
  warnings: ReportWarning[];
  /** Where the time went, in milliseconds. */
  timings: { pageMs: number; figures?: FigureTimings };
}

export interface WriteOptions {
  /** Skip the SVG and PNG figures (the page draws its charts itself). */
  figures?: boolean;
  /** Size of the SVG and PNG figures (see specs/size.ts); default `screen`. */
  figureSize?: FigureSize;
}

export async function writeReport(model: ReportModel, dir: string, options: WriteOptions = {}): Promise<WrittenReport> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (e) {
    throw new HvbError('usage', `--out ${dir}: cannot create the report folder: ${(e as Error).message}`, { cause: e });
  }
  const files: string[] = [];
  const put = async (name: string, data: string | Buffer) => {
    await writeFile(path.join(dir, name), data);
    files.push(name);
  };
  const warnings: ReportWarning[] = [];
  let figures: FigureTimings | undefined;
  if (options.figures !== false) {
    const size = options.figureSize ?? 'screen';
    const sized = model.charts.map((c) => ({ ...c, spec: sizeSpec(c.spec, size) }));
    const drawn = await renderFigures(
      sized,
      async (chart, svg, png) => {
        await put(`${chart.id}.vl.json`, specJson(chart.spec));
        await put(`${chart.id}.svg`, svg);
        await put(`${chart.id}.png`, png);
      },
      { scale: pngScaleFor(size) },
    );
    figures = drawn.timings;
    for (const s of drawn.scaled) {
      const w: ReportWarning = {
        kind: 'note',
        text: `figure ${s.id}.png: ${s.width} × ${s.height} px at ${s.scale}× would exceed the ${s.maxPixels} px limit; scaled down to ${s.pngWidth} × ${s.pngHeight} px (${s.zoom.toFixed(2)}×). The SVG has every detail.`,
      };
      if (!model.warnings.some((x) => x.text === w.text)) model.warnings.push(w);
      warnings.push(w);
    }
  } else {
    for (const chart of model.charts) await put(`${chart.id}.vl.json`, specJson(chart.spec));
  }
  const pageStarted = performance.now();
  const table = summaryTable(model.summary);
  const page = renderPage(model, table, await inlineLibraries());
  await put(PAGE_FILE, page);
  await put('summary.md', `# ${model.title}\n\n${markdownTable(table)}`);
  await put('summary.tex', latexTable(table, `${model.title}: means with 95 % confidence intervals`));
  if (model.overview) {
    await put('overview.md', `# ${model.title}: every backend against ${model.overview.reference}\n\n${overviewMarkdown(model.overview)}`);
    await put('overview.tex', overviewLatex(model.overview, `Every backend against ${model.overview.reference}: ratio of means with 95 % intervals`));
  }
  if (model.scaling) {
    await put('scaling.md', `# ${model.title}: scaling with the guest's vCPUs\n\n${scalingMarkdown(model.scaling)}`);
    await put(
      'scaling.tex',
      scalingLatex(
        model.scaling,
        `Scaling with the guest's vCPUs: means${model.scaling.reference ? ` and ratios to ${model.scaling.reference}` : ''} with 95 % intervals`,
      ),
    );
  }
  if (model.density) {
    await put('density.md', `# ${model.title}: guests at once on one host\n\n${densityMarkdown(model.density)}`);
    const caption = "Density: the guests' sum, each guest's mean and the fairness over the guests, means with 95 % intervals";
    await put('density.tex', densityLatex(model.density, caption));
  }
  if (model.explained) {
    await put('explained.md', `# ${model.title}: where the time goes\n\n${explainedMarkdown(model.explained)}`);
    await put(
      'explained.tex',
      explainedLatex(
        model.explained,
        model.explained.reference === undefined
          ? "Where the time goes: each step's counted events at their unit costs"
          : `Where the time goes: each backend's gap to ${model.explained.reference} set against its counted events`,
      ),
    );
  }
  if (model.ioPath) {
    await put('io-path.md', `# ${model.title}: I/O path, each knob against its base value\n\n${ioPathMarkdown(model.ioPath)}`);
    await put('io-path.tex', ioPathLatex(model.ioPath, `I/O path: each knob against its base value, ratio of means with 95 % intervals`));
  }
  return { dir, files, pageBytes: Buffer.byteLength(page), warnings, timings: { pageMs: performance.now() - pageStarted, ...(figures ? { figures } : {}) } };
}

function specJson(spec: unknown): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}
