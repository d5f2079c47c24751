/**
 * The order of repetitions. Cases that differ only in their backend (same workload,
 * parameters and guest) form a group and take turns — A B A B … — so that a slow drift of
 * the machine (another job starting, thermal throttling) hits every backend alike instead
 * of biasing whichever ran last. Warm-ups of a group come first. Groups run one after another.
 */

export interface PlanCase {
  id: string;
  backend: string;
  /** Cases with the same group take turns; see groupKey(). */
  group: string;
  warmup: number;
  repetitions: number;
}

export interface PlannedRep {
  /** Position in the run, from 0: the order recorded with each repetition. */
  seq: number;
  caseId: string;
  backend: string;
  group: string;
  /** 1-based; warm-ups are numbered separately. */
  rep: number;
  warmup: boolean;
}

/** The group of a case: everything but the backend. */
export function groupKey(c: { workload: string; params: Record<string, unknown>; guest?: unknown }): string {
  const params = Object.keys(c.params)
    .sort()
    .map((k) => [k, c.params[k]]);
  return JSON.stringify([c.workload, params, c.guest ?? null]);
}

/**
 * Plans every repetition of every case. With `interleave` (default) the measured
 * repetitions of a group alternate between its cases, in the order the cases are given;
 * without it each case runs all its repetitions in a row (warm-ups first).
 */
export function planRepetitions(cases: readonly PlanCase[], options: { interleave?: boolean } = {}): PlannedRep[] {
  const plan: PlannedRep[] = [];
  const add = (c: PlanCase, rep: number, warmup: boolean) => plan.push({ seq: plan.length, caseId: c.id, backend: c.backend, group: c.group, rep, warmup });
  if (options.interleave === false) {
    for (const c of cases) {
      for (let r = 1; r <= c.warmup; r++) add(c, r, true);
      for (let r = 1; r <= c.repetitions; r++) add(c, r, false);
    }
    return plan;
  }
  const groups = new Map<string, PlanCase[]>();
  for (const c of cases) {
    const members = groups.get(c.group);
    if (members) members.push(c);
    else groups.set(c.group, [c]);
  }
  for (const members of groups.values()) {
    for (const c of members) for (let r = 1; r <= c.warmup; r++) add(c, r, true);
    const rounds = Math.max(...members.map((c) => c.repetitions));
    for (let r = 1; r <= rounds; r++) for (const c of members) if (r <= c.repetitions) add(c, r, false);
  }
  return plan;
}
