import { densityFitProblems, memAvailableMiB } from '../suite/density-fit.ts';
import { suiteError } from '../suite/problems.ts';
import type { ResolvedSuite } from '../suite/types.ts';
import type { HostState, PlanContext } from './case-plan.ts';
import type { HostAssignment } from './host-assign.ts';

/**
 * Refuses, before anything is measured, a density case whose guests together need more
 * memory than their host has available (suite/density-fit.ts), unless the suite allows
 * overcommit. MemAvailable is read from each host that has density cases, once.
 */
export async function refuseCrowdedHosts(
  o: PlanContext & { suite: Pick<ResolvedSuite, 'workloads'> & Partial<Pick<ResolvedSuite, 'overcommit'>> },
  assignment: readonly HostAssignment[],
  states: Map<string, HostState>,
): Promise<void> {
  if (o.suite.overcommit === true) return;
  const dense = o.cases.flatMap((c, i) => {
    const a = assignment[i]!;
    return c.guests !== undefined && 'host' in a ? [{ c, host: a.host }] : [];
  });
  if (dense.length === 0) return;
  const available = new Map<string, number>();
  for (const name of new Set(dense.map((d) => d.host))) {
    const state = states.get(name);
    if (!state || state.unreachable !== undefined) continue;
    available.set(name, memAvailableMiB(await state.run.host.readFile('/proc/meminfo').catch(() => '')));
  }
  const placed = dense.map(({ c, host }) => ({ c, host: { name: host, availableMiB: available.get(host) ?? 0 } }));
  const problems = densityFitProblems(o.suite, placed);
  if (problems.length > 0) throw suiteError(o.suiteFile ?? 'suite', problems);
}
