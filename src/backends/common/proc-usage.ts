import type { Host } from '../../hosts/host.ts';
import type { VmmUsage } from './backend.ts';

/**
 * Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`). Linux reports
 * USER_HZ, which is 100 on every architecture hvbench runs on.
 */
export const CLK_TCK = 100;

/** CPU time of a process (all its threads) from the text of /proc/<pid>/stat. */
export function parseProcStat(text: string): { cpuUserS: number; cpuSystemS: number } | undefined {
  // The command name (field 2) is in parentheses and may itself contain spaces and ')'.
  const end = text.lastIndexOf(')');
  if (end < 0) return undefined;
  const fields = text.slice(end + 1).trim().split(/\s+/);
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return { cpuUserS: utime / CLK_TCK, cpuSystemS: stime / CLK_TCK };
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
    const [stat, status] = await Promise.all([
      host.readFile(`/proc/${pid}/stat`),
      host.readFile(`/proc/${pid}/status`),
    ]);
    const cpu = parseProcStat(stat);
    const peakRssKiB = parseVmHwm(status);
    if (cpu === undefined || peakRssKiB === undefined) return undefined;
    return { pid, ...cpu, peakRssKiB };
  } catch {
    return undefined;
  }
}
