import { readdir, readFile } from 'node:fs/promises';
import { CLK_TCK, parseStat } from '../../util/proc.ts';
import type { VmmUsage } from '../common/backend.ts';
import { parseVmHwm } from '../common/proc-usage.ts';

/**
 * CPU time of a live process tree, read from /proc: for each process its own user and
 * system time plus that of its children it has already waited for (cutime, cstime);
 * peak RSS is the largest VmHWM in the tree. Used while a native run is still going (the
 * runner reads usage when the agent says ready); once it has ended, busybox time's exact
 * figure replaces it.
 */

export async function treeUsage(rootPid: number): Promise<VmmUsage | undefined> {
  let user = 0;
  let system = 0;
  let peak = 0;
  let seen = 0;
  const queue = [rootPid];
  const visited = new Set<number>();
  while (queue.length > 0) {
    const pid = queue.shift()!;
    if (visited.has(pid)) continue;
    visited.add(pid);
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''), readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')]);
    const times = parseStat(stat);
    if (!times) continue; // gone in the meantime
    seen++;
    user += times.utime + times.cutime;
    system += times.stime + times.cstime;
    peak = Math.max(peak, parseVmHwm(status) ?? 0);
    queue.push(...(await childrenOf(pid)));
  }
  if (seen === 0) return undefined;
  return { pid: rootPid, cpuUserS: user / CLK_TCK, cpuSystemS: system / CLK_TCK, peakRssKiB: peak };
}

async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(tasks.map((t) => readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '')));
  return lists.flatMap((l) => l.split(/\s+/).filter(Boolean).map(Number));
}
