import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PNG } from 'pngjs';
import { expect } from 'vitest';

/** Checks every file of a report folder: specs parse as JSON, SVGs as XML with an <svg> root, PNGs decode, the LaTeX tables compile with pdflatex without an overfull box (the summary in one column, the overview in one column of two). */
export async function validateReportFiles(dir: string, files: readonly string[], chartIds: readonly string[]): Promise<void> {
  expect(files).toContain('index.html');
  expect(files).toContain('summary.md');
  expect(files).toContain('summary.tex');
  for (const id of chartIds) for (const ext of ['.vl.json', '.svg', '.png']) expect(files, `${id}${ext}`).toContain(`${id}${ext}`);
  for (const f of files) {
    const file = path.join(dir, f);
    if (f.endsWith('.json')) {
      const spec = JSON.parse(await readFile(file, 'utf8'));
      expect(spec.$schema, f).toMatch(/vega-lite/);
    } else if (f.endsWith('.svg')) {
      const text = await readFile(file, 'utf8');
      expect(XMLValidator.validate(text), f).toBe(true);
      const doc = new XMLParser({ ignoreAttributes: false }).parse(text);
      expect(Number(doc.svg['@_width']), f).toBeGreaterThan(0);
      expect(text, f).toContain('<text');
    } else if (f.endsWith('.png')) {
      const png = PNG.sync.read(await readFile(file));
      expect(png.width * png.height, f).toBeGreaterThan(100 * 100);
    }
  }
  await checkLatex(path.join(dir, 'summary.tex'));
  if (files.includes('overview.tex')) {
    expectCleanLatexLog(await compileLatex(await readFile(path.join(dir, 'overview.tex'), 'utf8'), 'twocolumn'), 'overview.tex');
  }
}

/** The summary table compiles with pdflatex in a one-column article, without an error or an overfull box. */
async function checkLatex(file: string): Promise<void> {
  const log = await compileLatex(await readFile(file, 'utf8'), 'onecolumn');
  expectCleanLatexLog(log, path.basename(file));
}

/** The Debian packages that give pdflatex and the LaTeX packages the tables need (siunitx is in texlive-science). */
export const TEX_DEBIAN_PACKAGES = ['texlive-latex-base', 'texlive-latex-extra', 'texlive-science'] as const;

/** What a table needs, and what the documents the tests compile load. */
const PREAMBLE = ['\\usepackage[T1]{fontenc}', '\\usepackage{siunitx,booktabs,tabularx,xltabular}'];

/**
 * Compiles `table` with pdflatex inside a minimal article — two columns (`\columnwidth`
 * 229.5 pt, narrower than IEEEtran's and acmart's 241 pt) or one (`\textwidth` 345 pt) —
 * in a temporary folder that is removed afterwards, twice (longtables settle their column
 * widths on the second pass); returns the log of the last pass. Fails, naming the Debian
 * packages to install, when pdflatex is missing.
 */
export async function compileLatex(table: string, layout: 'twocolumn' | 'onecolumn'): Promise<string> {
  const which = await execa('which', ['pdflatex'], { reject: false });
  if (which.exitCode !== 0) {
    throw new Error(
      `pdflatex is not installed, and the LaTeX tables are checked by compiling them: apt-get install -y --no-install-recommends ${TEX_DEBIAN_PACKAGES.join(' ')}`,
    );
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'hvbench-tex-'));
  try {
    const doc = [
      `\\documentclass${layout === 'twocolumn' ? '[twocolumn]' : ''}{article}`,
      ...PREAMBLE,
      '\\begin{document}',
      '\\typeout{hvbench widths: column \\the\\columnwidth, text \\the\\textwidth}',
      '\\input{table.tex}',
      '\\end{document}',
      '',
    ].join('\n');
    await writeFile(path.join(dir, 'table.tex'), table);
    await writeFile(path.join(dir, 'doc.tex'), doc);
    let log = '';
    for (let pass = 0; pass < 2; pass++) {
      const r = await execa('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', '-no-shell-escape', 'doc.tex'], {
        cwd: dir,
        reject: false,
        timeout: 120_000,
      });
      log = await readFile(path.join(dir, 'doc.log'), 'latin1').catch(() => r.stdout);
      expect(r.exitCode, `pdflatex failed:\n${errorLines(log) || r.stdout.slice(-3000)}`).toBe(0);
    }
    return log;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** No error, no overfull box, no column too narrow and no float too large in a pdflatex log. */
export function expectCleanLatexLog(log: string, what: string): void {
  expect(errorLines(log), `${what}: LaTeX errors`).toBe('');
  const overfull = log.split('\n').filter((l) => /^Overfull \\hbox/.test(l));
  expect(overfull, `${what}: the table is wider than the page or column`).toEqual([]);
  expect(log, what).not.toMatch(/X Columns too narrow|Float too large/);
}

function errorLines(log: string): string {
  return log
    .split('\n')
    .filter((l) => l.startsWith('! '))
    .join('\n');
}
