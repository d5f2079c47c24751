import type { Problem } from './problems.ts';
import { unknownName } from './suggest.ts';
import type { ResolvedSuite, SuiteDeps } from './types.ts';
import { variantFields } from './variants.ts';
import { objectShape } from './zod-issues.ts';

/**
 * Checks of a suite value that resolving (resolve.ts) and expanding (expand.ts) both run;
 * here so that neither imports the other for them.
 */

/** Backends, workloads and parameter names checked against what hvbench knows. */
export function checkNames(suite: ResolvedSuite, deps: SuiteDeps): Problem[] {
  const problems: Problem[] = [];
  suite.backends.forEach((backend, i) => {
    if (!deps.backends.includes(backend)) problems.push({ path: ['backends', i], message: unknownName('backend', backend, deps.backends) });
    else if (suite.backends.indexOf(backend) !== i) problems.push({ path: ['backends', i], message: `${JSON.stringify(backend)} is listed twice` });
  });
  // A variant or host given twice would make every case twice (xenTypes, machines) or mean nothing (hosts).
  for (const field of [...variantFields(), 'hosts']) {
    const list = suite[field];
    if (Array.isArray(list))
      list.forEach((name: string, i, all: readonly string[]) => {
        if (all.indexOf(name) !== i) problems.push({ path: [field, i], message: `${JSON.stringify(name)} is listed twice` });
      });
  }
  const known = Object.keys(deps.workloads);
  suite.workloads.forEach((entry, i) => {
    const workload = Object.hasOwn(deps.workloads, entry.workload) ? deps.workloads[entry.workload] : undefined;
    if (!workload) {
      problems.push({ path: ['workloads', i, 'workload'], message: unknownName('workload', entry.workload, known) });
      return;
    }
    const shape = objectShape(workload.params);
    if (!shape) return;
    for (const key of Object.keys(entry.params)) {
      if (!Object.hasOwn(shape, key)) {
        problems.push({
          path: ['workloads', i, 'params', key],
          message: unknownName('parameter', key, Object.keys(shape), `workload ${entry.workload} takes`),
        });
      }
    }
  });
  return problems;
}

/** The path of the first field whose getter (or proxy trap) throws when read; undefined when none does. */
export function unreadableAt(value: unknown, path: PropertyKey[] = [], seen = new Set<object>()): PropertyKey[] | undefined {
  if (value === null || typeof value !== 'object' || seen.has(value) || path.length > 16) return undefined;
  seen.add(value);
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch {
    return path;
  }
  for (const key of keys) {
    const at = [...path, Array.isArray(value) && /^\d+$/.test(key) ? Number(key) : key];
    let child: unknown;
    try {
      child = (value as Record<string, unknown>)[key];
    } catch {
      return at;
    }
    const found = unreadableAt(child, at, seen);
    if (found) return found;
  }
  return undefined;
}
