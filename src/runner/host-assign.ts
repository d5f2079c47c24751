import { groupKey } from '../stats/interleave.ts';
import type { Case } from '../suite/types.ts';

/** What the scheduler needs to know of a host. */
export interface AssignableHost {
  name: string;
  backends: readonly string[];
}

export type HostAssignment = { host: string } | { unassigned: string };

/**
 * Spreads cases over hosts. A case can go only to a host that offers its backend. Cases
 * that take turns (same workload, parameters and guest; see groupKey) stay on one host
 * when one host offers all their backends, so their interleaving still cancels drift;
 * otherwise each goes where its backend is. Among the possible hosts the one with the
 * fewest cases so far wins (ties: the order the hosts were given), which keeps parallel
 * hosts evenly busy. Deterministic: the same input gives the same plan.
 */
export function assignHosts(
  cases: readonly Pick<Case, 'backend' | 'workload' | 'params' | 'guest'>[],
  hosts: readonly AssignableHost[],
  interleave = true,
): HostAssignment[] {
  const load = new Map(hosts.map((h) => [h.name, 0]));
  const out: HostAssignment[] = new Array(cases.length);
  const groups = new Map<string, number[]>();
  cases.forEach((c, i) => {
    const key = interleave ? groupKey(c) : String(i);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const leastLoaded = (candidates: AssignableHost[]): AssignableHost | undefined =>
    candidates.reduce<AssignableHost | undefined>((best, h) => (best === undefined || load.get(h.name)! < load.get(best.name)! ? h : best), undefined);
  const give = (i: number, host: AssignableHost): void => {
    out[i] = { host: host.name };
    load.set(host.name, load.get(host.name)! + 1);
  };
  for (const members of groups.values()) {
    const backends = new Set(members.map((i) => cases[i]!.backend));
    const together = leastLoaded(hosts.filter((h) => [...backends].every((b) => h.backends.includes(b))));
    if (together !== undefined) {
      for (const i of members) give(i, together);
      continue;
    }
    for (const i of members) {
      const backend = cases[i]!.backend;
      const host = leastLoaded(hosts.filter((h) => h.backends.includes(backend)));
      if (host !== undefined) give(i, host);
      else out[i] = { unassigned: `no selected host offers backend ${backend} (${describeHosts(hosts)})` };
    }
  }
  return out;
}

function describeHosts(hosts: readonly AssignableHost[]): string {
  if (hosts.length === 0) return 'no hosts selected';
  return hosts.map((h) => `${h.name} offers ${h.backends.join(', ') || 'nothing'}`).join('; ');
}
