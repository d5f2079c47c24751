/**
 * Cases that differ only in their backend (same workload, parameters and guest) form a
 * group and take turns — A B A B … — so that a slow drift of the machine (another job
 * starting, thermal throttling) hits every backend alike instead of biasing whichever ran
 * last. The runner orders the repetitions; this is the key it groups them by.
 */

/** The group of a case: everything but the backend (a density case's guest count included, when it has one). */
export function groupKey(c: { workload: string; params: Record<string, unknown>; guest?: unknown; guests?: number; neighbour?: string }): string {
  const params = Object.keys(c.params)
    .sort()
    .map((k) => [k, c.params[k]]);
  const density = [...(c.guests === undefined ? [] : [c.guests]), ...(c.neighbour === undefined ? [] : [c.neighbour])];
  return JSON.stringify([c.workload, params, c.guest ?? null, ...density]);
}
