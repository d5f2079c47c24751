import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HvbError } from '../util/errors.ts';
import type { ReportModel } from './build.ts';
import { inlineLibraries } from './html/assets.ts';
import { renderPage } from './html/page.ts';
import { renderPng } from './render/png.ts';
import { renderSvg } from './render/svg.ts';
import { summaryTable } from './tables/cells.ts';
import { latexTable } from './tables/latex.ts';
import { markdownTable } from './tables/markdown.ts';

/**
 * Writes a report folder: `index.html` (self-contained), per chart `<id>.vl.json`,
 * `<id>.svg` and `<id>.png`, and `summary.md` / `summary.tex`.
 */

export const PAGE_FILE = 'index.html';

export interface WrittenReport {
  dir: string;
  /** Every file written, relative to `dir`. */
  files: string[];
  /** Size of index.html in bytes. */
  pageBytes: number;
}

export interface WriteOptions {
  /** Skip the SVG and PNG figures (the page draws its charts itself). */
  figures?: boolean;
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
  const table = summaryTable(model.summary);
  const page = renderPage(model, table, await inlineLibraries());
  await put(PAGE_FILE, page);
  await put('summary.md', `# ${model.title}\n\n${markdownTable(table)}`);
  await put('summary.tex', latexTable(table, `${model.title}: means with 95 % confidence intervals`));
  for (const chart of model.charts) {
    await put(`${chart.id}.vl.json`, `${JSON.stringify(chart.spec, null, 2)}\n`);
    if (options.figures === false) continue;
    const svg = await renderSvg(chart.spec, chart.id);
    await put(`${chart.id}.svg`, svg);
    await put(`${chart.id}.png`, renderPng(svg, chart.id));
  }
  return { dir, files, pageBytes: Buffer.byteLength(page) };
}
