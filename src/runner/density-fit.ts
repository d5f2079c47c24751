import { densityFitProblems, memAvailableMiB } from '../suite/density-fit.ts';
import { suiteError } from '../suite/problems.ts';
import type { ResolvedSuite } from '../suite/types.ts';
import type { HostState, PlanContext } from './case-plan.ts';
import type { HostAssignment } from './host-assign.ts';

/**
 * Refuses, before anything is measured, a density case whose guests together need more
 * memory than their host has available (suite/density-fit.ts), unless the suite allows
 * overcommit. The memory is read once per host and backend that have density cases.
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
  // What a backend's guests can take: its own answer (Xen: the hypervisor's free memory),
  // otherwise the host's MemAvailable (the guests are its processes). Read once per pair.
  const available = new Map<string, number>();
  for (const { c, host } of dense) {
    const key = `${host}\u0000${c.backend}`;
    const state = states.get(host);
    if (available.has(key) || !state || state.unreachable !== undefined) continue;
    const backend = o.backends(c.backend);
    const run = state.run.host;
    const mib = backend.memoryAvailableMiB
      ? await backend.memoryAvailableMiB(run).catch(() => 0)
      : memAvailableMiB(await run.readFile('/proc/meminfo').catch(() => ''));
    available.set(key, mib);
  }
  const placed = dense.map(({ c, host }) => ({ c, host: { name: host, availableMiB: available.get(`${host}\u0000${c.backend}`) ?? 0 } }));
  const problems = densityFitProblems(o.suite, placed);
  if (problems.length > 0) throw suiteError(o.suiteFile ?? 'suite', problems);
}
