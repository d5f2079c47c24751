import type { Host } from '../../hosts/host.ts';
import { CLK_TCK, parseStat } from '../../util/proc.ts';
import type { VmmUsage } from '../common/backend.ts';

/**
 * Every process's /proc/<pid>/stat line on the host, read with sh builtins alone (no program
 * started per process: the scan runs while the measured work does).
 */
const STAT_LINES = 'for d in /proc/[0-9]*; do read -r l <"$d/stat" && echo "$l"; done 2>/dev/null; exit 0';

/**
 * CPU time of a native run on another host so far: the processes of its process group
 * there (the run never leaves it), each with its own and its waited-for children's user and
 * system time, as tree-usage.ts does locally. Peak RSS is not read while it runs (that would
 * start a program per process); busybox time's final figure gives it.
 */
export async function remoteGroupUsage(host: Host, group: number): Promise<VmmUsage | undefined> {
  const r = await host.exec(['sh', '-c', STAT_LINES], { timeoutMs: 30_000 }).catch(() => undefined);
  if (!r) return undefined;
  return groupUsage(r.stdout, group);
}

/** Sums the stat lines of `group`'s processes; undefined when none is there. */
export function groupUsage(statLines: string, group: number): VmmUsage | undefined {
  let user = 0;
  let system = 0;
  let seen = 0;
  for (const line of statLines.split('\n')) {
    const stat = parseStat(line);
    if (stat?.pgrp !== group) continue;
    seen++;
    user += stat.utime + stat.cutime;
    system += stat.stime + stat.cstime;
  }
  return seen === 0 ? undefined : { pid: group, cpuUserS: user / CLK_TCK, cpuSystemS: system / CLK_TCK, peakRssKiB: 0 };
}
