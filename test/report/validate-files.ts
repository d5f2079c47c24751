import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { PNG } from 'pngjs';
import { expect } from 'vitest';

/** Checks every file of a report folder: specs parse as JSON, SVGs as XML with an <svg> root, PNGs decode, the LaTeX table compiles (or is well-formed). */
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
}

/** Compiles the table with pdflatex when there is one; otherwise checks its structure. */
async function checkLatex(file: string): Promise<void> {
  const tex = await readFile(file, 'utf8');
  const which = await execa('which', ['pdflatex'], { reject: false });
  if (which.exitCode === 0) {
    const doc = `\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage{booktabs}\\begin{document}\\input{${path.basename(file)}}\\end{document}`;
    const r = await execa('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', `\\def\\x{}${doc}`], { cwd: path.dirname(file), reject: false, timeout: 120_000 });
    expect(r.exitCode, r.stdout).toBe(0);
    return;
  }
  const lines = tex.split('\n');
  const begin = lines.findIndex((l) => l.startsWith('\\begin{tabular}{'));
  expect(begin).toBeGreaterThan(0);
  const columns = /\\begin\{tabular\}\{([lr]+)\}/.exec(lines[begin]!)![1]!.length;
  expect(lines.indexOf('\\toprule')).toBe(begin + 1);
  expect(lines).toContain('\\midrule');
  expect(lines.indexOf('\\bottomrule')).toBeGreaterThan(lines.indexOf('\\midrule'));
  expect(lines).toContain('\\end{tabular}');
  for (const l of lines.filter((x) => x.endsWith('\\\\'))) {
    // Every cell separator is a real one: escaped ampersands are `\&`.
    expect(l.replace(/\\&/g, '').split(' & '), l).toHaveLength(columns);
    expect(/(^|[^\\])[_#%]/.test(l.replace(/\\\\$/, '')), `unescaped special character in ${l}`).toBe(false);
  }
  let depth = 0;
  for (const ch of tex.replace(/\\[{}]/g, '')) {
    if (ch === '{') depth++;
    if (ch === '}') depth--;
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  expect(depth).toBe(0);
}
