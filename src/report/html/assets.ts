import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HvbError } from '../../util/errors.ts';
import { scriptText } from './escape.ts';

/**
 * The browser builds of vega, vega-lite and vega-embed, read from node_modules and
 * inlined into the page, so it works opened from disk with no network.
 */

export const LIBRARIES: readonly { name: string; file: string }[] = [
  { name: 'vega', file: 'build/vega.min.js' },
  { name: 'vega-lite', file: 'build/vega-lite.min.js' },
  { name: 'vega-embed', file: 'build/vega-embed.min.js' },
];

export interface InlineLibrary {
  name: string;
  version: string;
  source: string;
}

let cache: Promise<InlineLibrary[]> | undefined;

export function inlineLibraries(): Promise<InlineLibrary[]> {
  cache ??= Promise.all(LIBRARIES.map(load));
  return cache;
}

async function load(lib: { name: string; file: string }): Promise<InlineLibrary> {
  const dir = packageDir(lib.name);
  const file = path.join(dir, lib.file);
  try {
    const [source, pkg] = await Promise.all([readFile(file, 'utf8'), readFile(path.join(dir, 'package.json'), 'utf8')]);
    return { name: lib.name, version: String((JSON.parse(pkg) as { version?: unknown }).version ?? 'unknown'), source: scriptText(source, file) };
  } catch (e) {
    throw new HvbError('report-assets', `${file}: cannot read the browser build of ${lib.name}: ${(e as Error).message}`, {
      cause: e,
      hint: 'run npm ci to install the dependencies',
    });
  }
}

/** The folder of an installed package (its exports map hides package.json and build/ from resolution). */
function packageDir(name: string): string {
  const entry = fileURLToPath(import.meta.resolve(name));
  const marker = `${path.sep}node_modules${path.sep}${name}${path.sep}`;
  const at = entry.lastIndexOf(marker);
  if (at < 0) throw new HvbError('report-assets', `${name}: resolved to ${entry}, expected a file under node_modules/${name}/`);
  return entry.slice(0, at + marker.length - 1);
}
