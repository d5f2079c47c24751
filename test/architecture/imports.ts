import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

/**
 * The layers of src/, top to bottom, as the README draws them: a module may import from its
 * own layer and from the layers below it, never from one above. `backends/<family>/` may not
 * import another family; `backends/common/` no family; `registry.ts` is the one module that
 * imports them all.
 */
export const LAYERS: readonly string[] = [
  '(root)',
  'cli',
  'runner',
  'suite',
  'labs',
  'backends/registry',
  'backends/family',
  'backends/common',
  'tuning',
  'network',
  'guest',
  'workloads',
  'devices',
  'hosts',
  'report',
  'stats',
  'dims',
  'results',
  'util',
];

const FAMILIES = new Set(['qemu', 'xen', 'native']);

export interface ImportEdge {
  from: string;
  to: string;
}

/** Every relative import (static, dynamic, type-only) between modules of `root`, as paths relative to `root`. */
export function importsOf(root: string): ImportEdge[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(root);
  const edges: ImportEdge[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      edges.push({ from: relative(root, f), to: relative(root, normalize(join(dirname(f), m[1]!))) });
    }
  }
  return edges;
}

/** The layer of a module path relative to src/. */
export function layerOf(path: string): string {
  const parts = path.split('/');
  if (parts.length === 1) return '(root)';
  if (parts[0] !== 'backends') return parts[0]!;
  if (parts.length === 2) return parts[1] === 'registry.ts' ? 'backends/registry' : 'backends/family';
  return parts[1] === 'common' ? 'backends/common' : 'backends/family';
}

/** The family of a backend module (`qemu`, `xen`, `native`), if it is in one. */
export function familyOf(path: string): string | undefined {
  const parts = path.split('/');
  return parts[0] === 'backends' && parts.length > 2 && FAMILIES.has(parts[1]!) ? parts[1] : undefined;
}

/** Imports that point up the layers, or from one backend family into another. */
export function layerViolations(edges: readonly ImportEdge[]): string[] {
  const rank = (p: string) => {
    const i = LAYERS.indexOf(layerOf(p));
    if (i < 0) throw new Error(`${p}: its folder is in no layer; add it to LAYERS (test/architecture/imports.ts) and the README`);
    return i;
  };
  const out: string[] = [];
  for (const e of edges) {
    if (rank(e.to) < rank(e.from)) out.push(`${e.from} imports ${e.to} (${layerOf(e.to)} is above ${layerOf(e.from)})`);
    const a = familyOf(e.from);
    const b = familyOf(e.to);
    if (a !== undefined && b !== undefined && a !== b) out.push(`${e.from} imports ${e.to} (one backend family into another)`);
  }
  return out;
}

/** Import cycles between modules (strongly connected components of more than one module, or a module importing itself). */
export function importCycles(edges: readonly ImportEdge[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const e of edges) {
    if (!graph.has(e.from)) graph.set(e.from, []);
    if (!graph.has(e.to)) graph.set(e.to, []);
    graph.get(e.from)!.push(e.to);
  }
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)!.includes(v)) cycles.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

/**
 * Code outside src/backends/ that decides by a backend's name: a comparison with a name,
 * or a table keyed by names. The labs are hosts named after what they offer (`lab-kvm`);
 * the report's palette gives known backends their colour and order (data, no decision);
 * dims/catalogue.ts names dimensions (`xen` is the Xen version), not backends;
 * the native baseline is the default reference of comparisons, by the one constant
 * `REFERENCE_BACKEND`.
 */
export function backendNamesOutside(root: string): string[] {
  const allowed = new Set(['report/palette.ts', 'cli/commands/lab.ts', 'dims/catalogue.ts', 'dims/reference.ts']);
  const names = '(xen|kvm|tcg|native)';
  const decide = new RegExp(`[!=]==\\s*'${names}'|'${names}'\\s*[!=]==|^\\s*${names}\\s*:|[{,]\\s*${names}\\s*:|case\\s+'${names}'`);
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      const rel = relative(root, p);
      if (e.isDirectory()) {
        if (rel !== 'backends' && rel !== 'labs') walk(p);
      } else if (p.endsWith('.ts') && !allowed.has(rel)) {
        readFileSync(p, 'utf8')
          .split('\n')
          .forEach((line, i) => {
            const code = line
              .replace(/\/\/.*$/, '')
              .replace(/^\s*\*.*$/, '')
              .replace(/\/\*.*?\*\//g, '');
            if (decide.test(code)) out.push(`${rel}:${i + 1}: ${line.trim()}`);
          });
      }
    }
  };
  walk(root);
  return out;
}
