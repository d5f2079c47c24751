import { type Dirent, rmSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ResvgRenderOptions } from '@resvg/resvg-js';
import { CHART_FONT } from '../specs/common.ts';
import { trimFont } from './font-trim.ts';

/**
 * The fonts resvg draws a report's figures with.
 *
 * The charts ask for DejaVu Sans (regular, and bold for titles). When its files are found
 * in the usual font folders, a trimmed copy of each (see font-trim.ts: the same glyphs,
 * metrics and kerning for the characters below) is written once per report to a temporary
 * folder, and a figure whose text uses only those characters, in that family, upright, in
 * regular or bold, is drawn with those two files alone. Any other figure, or every figure
 * when the font files are not found, is drawn with the system's fonts, as a browser would.
 */

export const CHART_FAMILY = CHART_FONT.split(',')[0]!.trim();

/** Characters of the trimmed copies: ASCII, Latin-1, Latin Extended-A, and the symbols hvbench's charts write. */
export const TRIMMED_CHARACTERS: ReadonlySet<number> = new Set([
  ...range(0x20, 0x7e),
  ...range(0xa0, 0x17f),
  ...[...'÷×−±≈≠≤≥↑↓←→↔…–—‘’“”•·µΔσ∞√‰′″€'].map((c) => c.codePointAt(0)!),
]);

/** Where fonts live on Linux, macOS and in a user's home. */
function fontDirs(): string[] {
  const home = os.homedir();
  return [
    '/usr/share/fonts',
    '/usr/local/share/fonts',
    path.join(home, '.local/share/fonts'),
    path.join(home, '.fonts'),
    '/Library/Fonts',
    '/System/Library/Fonts',
  ];
}

const SYSTEM: NonNullable<ResvgRenderOptions['font']> = { loadSystemFonts: true, defaultFontFamily: CHART_FAMILY, sansSerifFamily: CHART_FAMILY };

export interface ChartFonts {
  /** resvg's font options for this SVG. */
  optionsFor(svg: string): NonNullable<ResvgRenderOptions['font']>;
  /** True when the trimmed copies are in use. */
  trimmed: boolean;
  /** Removes the temporary folder. */
  dispose(): Promise<void>;
}

/** The system's fonts only. */
export const SYSTEM_FONTS: ChartFonts = { optionsFor: () => SYSTEM, trimmed: false, dispose: async () => {} };

let found: Promise<{ regular: string; bold: string } | undefined> | undefined;

/** The files of the chart family, regular and bold (`DejaVuSans.ttf`, `DejaVuSans-Bold.ttf`), looked up once per process. */
export function chartFontFiles(): Promise<{ regular: string; bold: string } | undefined> {
  found ??= (async () => {
    const stem = CHART_FAMILY.replace(/\s+/g, '');
    const wanted = new Map([
      [`${stem}.ttf`.toLowerCase(), 'regular'],
      [`${stem}-Bold.ttf`.toLowerCase(), 'bold'],
    ]);
    const hits: Record<string, string> = {};
    for (const dir of fontDirs()) {
      for (const file of await walk(dir, 4)) {
        const kind = wanted.get(path.basename(file).toLowerCase());
        if (kind && hits[kind] === undefined) hits[kind] = file;
      }
      if (hits.regular && hits.bold) return { regular: hits.regular, bold: hits.bold };
    }
    return undefined;
  })();
  return found;
}

/** Prepares the trimmed copies in a temporary folder; falls back to the system's fonts when they cannot be made. */
export async function prepareChartFonts(): Promise<ChartFonts> {
  const files = await chartFontFiles();
  if (!files) return SYSTEM_FONTS;
  let dir: string | undefined;
  try {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hvb-fonts-'));
    const out: string[] = [];
    let covered: Set<number> | undefined;
    for (const [name, file] of [
      ['regular.ttf', files.regular],
      ['bold.ttf', files.bold],
    ] as const) {
      const trimmed = trimFont(await readFile(file), TRIMMED_CHARACTERS);
      covered = covered ? new Set([...covered].filter((c) => trimmed.covered.has(c))) : trimmed.covered;
      const target = path.join(dir, name);
      await writeFile(target, trimmed.data);
      out.push(target);
    }
    const options = { loadSystemFonts: false, fontFiles: out, defaultFontFamily: CHART_FAMILY, sansSerifFamily: CHART_FAMILY };
    const dirToRemove = dir;
    // A command that exits at once (a signal) still removes the folder.
    const onExit = () => rmSync(dirToRemove, { recursive: true, force: true });
    process.once('exit', onExit);
    return {
      optionsFor: (svg) => (drawableWith(svg, covered!) ? options : SYSTEM),
      trimmed: true,
      dispose: async () => {
        process.removeListener('exit', onExit);
        await rm(dirToRemove, { recursive: true, force: true });
      },
    };
  } catch {
    if (dir) await rm(dir, { recursive: true, force: true });
    return SYSTEM_FONTS; // an unexpected font file: draw with the system's fonts, as before
  }
}

/** Whether every text of the SVG is in the chart family, upright, regular or bold, with characters the copies cover. */
export function drawableWith(svg: string, covered: ReadonlySet<number>): boolean {
  for (const m of svg.matchAll(/font-family="([^"]*)"/g))
    if (
      m[1]!
        .split(',')[0]!
        .trim()
        .replace(/^['"]|['"]$/g, '') !== CHART_FAMILY
    )
      return false;
  for (const m of svg.matchAll(/font-weight="([^"]*)"/g)) if (!['normal', 'bold', '400', '700'].includes(m[1]!)) return false;
  if (/font-style="(?!normal")/.test(svg) || /<(?:textPath|font|font-face)\b/.test(svg)) return false;
  for (const m of svg.matchAll(/<text\b[^>]*>([\s\S]*?)<\/text>/g)) {
    const text = m[1]!
      .replace(/<[^>]*>/g, '')
      .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
      .replace(/&#([0-9]+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
      .replace(/&(amp|lt|gt|quot|apos);/g, '&');
    for (const c of text) if (!covered.has(c.codePointAt(0)!) && c !== '\n' && c !== '\t' && c !== '\r') return false;
  }
  return true;
}

async function walk(dir: string, depth: number): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isFile() || e.isSymbolicLink()) out.push(p);
    else if (e.isDirectory() && depth > 0) out.push(...(await walk(p, depth - 1)));
  }
  return out;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
