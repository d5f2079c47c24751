import { HvbError } from '../util/errors.ts';
import { readSection } from './elf.ts';
import type { ManifestModule } from './image.ts';
import { moduleName } from './recipe.ts';

/** Where the kernel package keeps one module, and what it needs loaded first. */
export interface ModuleSource {
  /** True when modules.builtin lists the module: it is part of the kernel image. */
  isBuiltin(name: string): boolean;
  /** Path of the .ko relative to /lib/modules/<kver>, e.g. `kernel/drivers/block/virtio_blk.ko`. */
  path(name: string): string | undefined;
  /** Direct dependencies (the `depends=` of its .modinfo). */
  depends(name: string): Promise<string[]>;
}

/** Key/value pairs of a module's `.modinfo` section (NUL-separated `key=value` strings). */
export function parseModinfo(ko: Buffer, what = 'kernel module'): Map<string, string[]> {
  const section = readSection(ko, '.modinfo', what);
  if (!section) throw new HvbError('module-invalid', `${what} has no .modinfo section`);
  const info = new Map<string, string[]>();
  for (const item of section.toString('utf8').split('\0')) {
    const eq = item.indexOf('=');
    if (eq <= 0) continue;
    const key = item.slice(0, eq);
    info.set(key, [...(info.get(key) ?? []), item.slice(eq + 1)]);
  }
  return info;
}

/** The normalised module names in a `.modinfo` `depends=` value. */
export function modinfoDepends(info: Map<string, string[]>): string[] {
  const value = info.get('depends')?.[0] ?? '';
  return value
    .split(',')
    .filter((d) => d !== '')
    .map(moduleName);
}

/**
 * Load order for the given modules: every dependency before the modules needing it.
 * A cycle is an error that names the modules in it.
 */
export function orderModules(graph: ReadonlyMap<string, readonly string[]>, roots: readonly string[]): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, stack: string[]) => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(name)), name].join(' -> ');
      throw new HvbError('module-cycle', `kernel modules depend on each other in a cycle: ${cycle}`);
    }
    state.set(name, 'visiting');
    for (const dep of graph.get(name) ?? []) visit(dep, [...stack, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const root of roots) visit(root, []);
  return order;
}

export interface ModulePlan {
  /** Every module involved, by name: built in, or shipped as a .ko with its direct dependencies. */
  modules: ManifestModule[];
  /** For each requested module: absolute .ko paths to insmod in order, dependencies first; empty if built in. */
  loadLists: Map<string, string[]>;
  /** Relative paths of the .ko files to ship. */
  files: string[];
}

/** Follows `depends=` from the requested modules and plans what to ship and in which order to load it. */
export async function planModules(requested: readonly string[], source: ModuleSource, kver: string): Promise<ModulePlan> {
  const graph = new Map<string, string[]>();
  const pending = requested.map(moduleName);
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (graph.has(name)) continue;
    if (source.isBuiltin(name)) {
      graph.set(name, []);
      continue;
    }
    if (source.path(name) === undefined) {
      throw new HvbError('module-missing', `kernel ${kver} has no module ${name} (neither built in nor a .ko file)`, {
        hint: 'check the module name in the guest recipe against the kernel package',
      });
    }
    const deps = await source.depends(name);
    graph.set(name, deps);
    pending.push(...deps);
  }

  const shipped = (name: string) => (source.isBuiltin(name) ? undefined : source.path(name));
  const loadLists = new Map<string, string[]>();
  for (const name of requested.map(moduleName)) {
    const order = orderModules(graph, [name]);
    loadLists.set(
      name,
      order.flatMap((m) => shipped(m) ?? []).map((p) => `/lib/modules/${kver}/${p}`),
    );
  }
  const names = [...graph.keys()].sort();
  const modules: ManifestModule[] = names.map((name) => {
    const path = shipped(name);
    return path === undefined
      ? { name, builtin: true, depends: [] }
      : { name, builtin: false, path: `/lib/modules/${kver}/${path}`, depends: [...(graph.get(name) ?? [])] };
  });
  const files = names.flatMap((n) => shipped(n) ?? []).sort();
  return { modules, loadLists, files };
}

/**
 * modules.dep in depmod's format: `path: dep dep ...` with every transitive dependency,
 * listed so that the last one is loaded first (busybox modprobe and kmod read it this way).
 */
export function formatModulesDep(modules: readonly ManifestModule[], kver: string): string {
  const prefix = `/lib/modules/${kver}/`;
  const byName = new Map(modules.map((m) => [m.name, m]));
  const graph = new Map(modules.map((m) => [m.name, m.depends]));
  const rel = (name: string) => byName.get(name)?.path?.slice(prefix.length);
  const lines = modules
    .filter((m) => !m.builtin && m.path)
    .map((m) => {
      const deps = orderModules(graph, [m.name])
        .slice(0, -1)
        .reverse()
        .flatMap((d) => rel(d) ?? []);
      return `${rel(m.name)}:${deps.map((d) => ` ${d}`).join('')}`;
    })
    .sort();
  return lines.map((l) => `${l}\n`).join('');
}
