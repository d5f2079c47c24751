import { backendNames, getBackend } from '../backends/registry.ts';
import type { SuiteDeps } from '../suite/types.ts';
import { workloads } from '../workloads/registry.ts';

/** What the suite layer may know of the rest of hvbench: the registries. */
export const suiteDeps: SuiteDeps = { workloads, backends: backendNames };

export { getBackend, workloads };

/** Parses `--backend a,b --backend c` into names. */
export function backendList(values: string[] | undefined): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}
