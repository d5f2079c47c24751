import type { Problem } from './problems.ts';
import type { Case, ResolvedSuite } from './types.ts';

/**
 * Whether the guests of a density case fit their host's memory together: N guests of
 * `memoryMiB` each, plus what each VMM needs beyond its guest, against the memory the host
 * has available (MemAvailable) when the run starts. A case that does not fit would measure
 * the host's reclaim and swap, so it is refused before the run starts, with the numbers,
 * unless the suite sets `overcommit: true` (host-fit.ts does the same for one guest).
 */

/** A VMM's own memory beyond its guest's, per guest (QEMU's code, TCG's translation buffer, device state), in MiB. */
export const VMM_OVERHEAD_MIB = 64;

/** What planning read of a host for this check: MemAvailable in MiB (0: unknown, nothing refused). */
export interface HostMemory {
  name: string;
  availableMiB: number;
}

/** The memory N guests of `memoryMiB` need with their VMMs, in MiB. */
export function densityNeedMiB(guests: number, memoryMiB: number): number {
  return guests * (memoryMiB + VMM_OVERHEAD_MIB);
}

/** MemAvailable of a /proc/meminfo text in MiB; 0 when it does not say. */
export function memAvailableMiB(meminfo: string): number {
  const m = /^MemAvailable:\s*(\d+)\s*kB$/m.exec(meminfo);
  return m ? Math.floor(Number(m[1]) / 1024) : 0;
}

/**
 * One problem per density case whose guests do not fit its host, at the entry's `guests`
 * field; none when the suite allows overcommit. `placed` pairs each case with its host.
 */
export function densityFitProblems(
  suite: Pick<ResolvedSuite, 'workloads' | 'overcommit'>,
  placed: readonly { c: Pick<Case, 'id' | 'workload' | 'guests' | 'guest'>; host: HostMemory }[],
): Problem[] {
  if (suite.overcommit === true) return [];
  const problems: Problem[] = [];
  for (const { c, host } of placed) {
    if (c.guests === undefined || host.availableMiB <= 0) continue;
    const need = densityNeedMiB(c.guests, c.guest.memoryMiB);
    if (need <= host.availableMiB) continue;
    const entry = suite.workloads.findIndex((e) => e.workload === c.workload && e.guests?.includes(c.guests as number));
    problems.push({
      path: entry >= 0 ? ['workloads', entry, 'guests'] : ['workloads'],
      message:
        `case ${c.id}: ${c.guests} guests of ${c.guest.memoryMiB} MiB need ${need} MiB with their VMMs (${VMM_OVERHEAD_MIB} MiB each), ` +
        `more than the ${host.availableMiB} MiB host ${host.name} has available; use fewer guests or less memory, or set overcommit: true to run them anyway`,
    });
  }
  return problems;
}
