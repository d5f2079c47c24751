import type { Problem } from './problems.ts';
import type { ResolvedGuest, ResolvedSuite } from './types.ts';

/**
 * Whether a guest fits the host it runs on: more vCPUs than the host has CPUs, or more
 * memory than it has, measures the host's scheduler and swap rather than the backend. Such a
 * shape is refused before the run starts unless the suite sets `overcommit: true`; the cases
 * that then overcommit carry the dimension `overcommit`.
 */

/** What planning knows of a host's size (HostFacts); 0 when the host did not say. */
export interface HostSize {
  name: string;
  cpus: number;
  memoryMiB: number;
}

/** What of the guest exceeds the host (`vcpus`, `memory`, `vcpus,memory`), or undefined when it fits. */
export function overcommitOf(guest: ResolvedGuest, host: HostSize): string | undefined {
  const over = [...(host.cpus > 0 && guest.vcpus > host.cpus ? ['vcpus'] : []), ...(host.memoryMiB > 0 && guest.memoryMiB > host.memoryMiB ? ['memory'] : [])];
  return over.length > 0 ? over.join(',') : undefined;
}

/**
 * The guest shapes of a suite that do not fit the hosts their cases go to, one problem per
 * value and host, at the field that sets it (`guest.vcpus[2]`); none when the suite allows
 * overcommit.
 */
export function hostFitProblems(suite: Pick<ResolvedSuite, 'guest' | 'overcommit'>, placed: readonly { guest: ResolvedGuest; host: HostSize }[]): Problem[] {
  if (suite.overcommit === true) return [];
  const problems = new Map<string, Problem>();
  const at = (field: 'vcpus' | 'memoryMiB', value: number): PropertyKey[] => {
    const written = suite.guest[field];
    return typeof written === 'number' ? ['guest', field] : ['guest', field, written.indexOf(value)];
  };
  for (const { guest, host } of placed) {
    if (host.cpus > 0 && guest.vcpus > host.cpus) {
      problems.set(`vcpus ${guest.vcpus} ${host.name}`, {
        path: at('vcpus', guest.vcpus),
        message: `${guest.vcpus} vCPUs are more than the ${host.cpus} CPUs of host ${host.name}; use fewer, or set overcommit: true to run them anyway`,
      });
    }
    if (host.memoryMiB > 0 && guest.memoryMiB > host.memoryMiB) {
      problems.set(`memory ${guest.memoryMiB} ${host.name}`, {
        path: at('memoryMiB', guest.memoryMiB),
        message: `${guest.memoryMiB} MiB is more than the ${host.memoryMiB} MiB of memory of host ${host.name}; use less, or set overcommit: true to run it anyway`,
      });
    }
  }
  // In the suite's order: the vCPU axis, then memory, each by position.
  const rank = (p: Problem) => (p.path[1] === 'vcpus' ? 0 : 1000) + (typeof p.path[2] === 'number' ? p.path[2] : 0);
  return [...problems.values()].sort((a, b) => rank(a) - rank(b));
}
