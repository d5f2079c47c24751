import type { Host } from '../../hosts/host.ts';
import { CLK_TCK, parseStat } from '../../util/proc.ts';
import type { VmmUsage } from './backend.ts';

/** CPU time in seconds of a process (all its threads) from the text of /proc/<pid>/stat. */
export function parseProcStat(text: string): { cpuUserS: number; cpuSystemS: number } | undefined {
  const stat = parseStat(text);
  return stat && { cpuUserS: stat.utime / CLK_TCK, cpuSystemS: stat.stime / CLK_TCK };
}

/** Peak resident set size (VmHWM, KiB) from the text of /proc/<pid>/status. */
export function parseVmHwm(text: string): number | undefined {
  const match = /^VmHWM:\s*(\d+)\s*kB$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * Reads a process's usage through the host (so it works for remote hosts too).
 * Undefined when the process is gone or /proc cannot be read.
 */
export async function readProcessUsage(host: Host, pid: number): Promise<VmmUsage | undefined> {
  try {
    const [stat, status] = await Promise.all([host.readFile(`/proc/${pid}/stat`), host.readFile(`/proc/${pid}/status`)]);
    const cpu = parseProcStat(stat);
    const peakRssKiB = parseVmHwm(status);
    if (cpu === undefined || peakRssKiB === undefined) return undefined;
    return { pid, ...cpu, peakRssKiB };
  } catch {
    return undefined;
  }
}
