import type { VariantAxis } from '../backends/common/backend.ts';
import { variantAxes, variantAxisOf } from '../backends/registry.ts';
import type { CaseVariant, ResolvedSuite } from './types.ts';

/** The values a suite chose for an axis: its field, else the axis's defaults. */
export function chosenValues(suite: ResolvedSuite, axis: VariantAxis): string[] {
  const given = suite[axis.suiteField];
  return Array.isArray(given) ? (given as string[]) : [...axis.defaults];
}

/**
 * The variants a backend runs in a suite, one case each: its axis's chosen values, the
 * implicit value as `undefined` (a plain case, no dimension); `[undefined]` for a backend
 * without an axis.
 */
export function variantsOf(suite: ResolvedSuite, backend: string): (CaseVariant | undefined)[] {
  const axis = variantAxisOf(backend);
  if (!axis) return [undefined];
  return chosenValues(suite, axis).map((value) => (value === axis.implicit ? undefined : { dim: axis.dim, value }));
}

/** The suite fields of every variant axis (`xenTypes`, `machines`). */
export function variantFields(): string[] {
  return variantAxes.map((a) => a.suiteField);
}

export { variantAxes };
