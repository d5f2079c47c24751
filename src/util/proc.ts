import { readFileSync } from 'node:fs';

/**
 * One process as /proc/<pid>/stat describes it (proc(5)), the fields hvbench reads. Times
 * are in clock ticks (CLK_TCK).
 */
export interface ProcStat {
  pid: number;
  /** Command name (field 2), without its parentheses. */
  comm: string;
  /** State letter (field 3): R, S, D, T, Z (zombie), X (dead) … */
  state: string;
  /** Field 4. */
  ppid: number;
  /** Process group id (field 5). */
  pgrp: number;
  /** Fields 14–17: own user and system time, and those of waited-for children. */
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  /**
   * Start time after boot (field 22). With the pid it names one process for the machine's
   * uptime: a reused pid has another start time.
   */
  startTicks: number;
}

/**
 * Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`). Linux reports
 * USER_HZ, which is 100 on every architecture hvbench runs on.
 */
export const CLK_TCK = 100;

const NUMERIC = ['ppid', 'pgrp', 'utime', 'stime', 'cutime', 'cstime', 'startTicks'] as const;

/**
 * Parses the text of /proc/<pid>/stat; undefined when it is not one. The command name is in
 * parentheses and may itself hold spaces and ')', so the other fields are split after the
 * last ')'. Every caller reads stat through here.
 */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state).
  const field = (n: number) => Number(fields[n - 3]);
  const pid = text.slice(0, open).trim();
  if (!/^\d+$/.test(pid)) return undefined;
  const stat: ProcStat = {
    pid: Number(pid),
    comm: text.slice(open + 1, close),
    state: fields[0] ?? '',
    ppid: field(4),
    pgrp: field(5),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
    startTicks: field(22),
  };
  if (!/^[A-Za-z]$/.test(stat.state)) return undefined;
  return NUMERIC.every((key) => Number.isInteger(stat[key])) ? stat : undefined;
}

/** The stat of a process on this machine, or undefined when there is no such process. */
export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** A zombie (exited, not yet reaped by its parent) or dead process holds nothing but its pid. */
export function isZombie(stat: ProcStat): boolean {
  return stat.state === 'Z' || stat.state === 'X';
}

/** The start time of a live process, or undefined when it is gone (a zombie counts as gone). */
export function processStart(pid: number): number | undefined {
  const stat = readStat(pid);
  return stat && !isZombie(stat) ? stat.startTicks : undefined;
}

/** True when no process with this pid runs: there is none, or it is a zombie (a stopped QEMU may linger as one of its parent). */
export function processGone(pid: number): boolean {
  return processStart(pid) === undefined;
}

/** True while a process (or zombie) with this pid exists, ours or another user's. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** NUL-separated argv of a live process, or undefined. */
export function processArgv(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
  } catch {
    return undefined;
  }
}

/** SIGKILL to one process; a process already gone is not an error. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}
