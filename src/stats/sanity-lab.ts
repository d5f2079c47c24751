import type { Sample } from '../results/sample.ts';
import type { SanityFlag } from './sanity.ts';

/**
 * Lab figures: a hypervisor nested under QEMU TCG runs correctly and slowly, so its figures
 * say that a backend works, not how fast it is. The report also learns lab hosts from the
 * run records; compare and the run table from the samples' `host_kind`.
 */

/** The names of the hosts whose samples say `host_kind: lab`. */
export function labHostsOf(samples: readonly Sample[]): string[] {
  const names = new Set<string>();
  for (const s of samples) if (s.dims.host_kind === 'lab') names.add(String(s.dims.host ?? 'unnamed host'));
  return [...names].sort();
}

/** The one lab flag naming every lab host, or none. */
export function labFlag(hosts: readonly string[]): SanityFlag | undefined {
  if (hosts.length === 0) return undefined;
  return {
    kind: 'lab',
    text: `Figures from lab host${hosts.length > 1 ? 's' : ''} ${hosts.join(', ')} (a hypervisor nested under QEMU TCG) are functional checks, not performance data: they show that a backend works, not how fast it is.`,
  };
}
