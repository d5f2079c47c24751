import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { NETNS_PREFIX } from './netns-plan.ts';

/**
 * The process that owns a network: its pid and its start time (clock ticks after boot,
 * field 22 of /proc/<pid>/stat). Together they name one process for the machine's uptime,
 * even after the pid is reused.
 */
export interface Owner {
  pid: number;
  start: number;
}

/** Start time and state of a process from the text of /proc/<pid>/stat. */
export function parseStatStart(text: string): { start: number; state: string } | undefined {
  // The command name (field 2) is in parentheses and may itself contain spaces and ')'.
  const end = text.lastIndexOf(')');
  if (end < 0) return undefined;
  const fields = text.slice(end + 1).trim().split(/\s+/);
  // fields[0] is field 3 (state); the start time is field 22.
  const start = Number(fields[19]);
  const state = fields[0];
  if (!Number.isInteger(start) || state === undefined) return undefined;
  return { start, state };
}

/** The start time of a live process, or undefined when it is gone (a zombie counts as gone). */
export function processStart(pid: number): number | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = parseStatStart(text);
  return parsed && parsed.state !== 'Z' ? parsed.start : undefined;
}

export function selfOwner(): Owner {
  const start = processStart(process.pid);
  if (start === undefined) throw new Error('cannot read /proc/self/stat');
  return { pid: process.pid, start };
}

/** SIGKILL to one process; a process already gone is not an error. */
export function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone already
  }
}

/** True while the owner's process runs: same pid, same start time, not a zombie. */
export function ownerAlive(owner: Owner): boolean {
  return processStart(owner.pid) === owner.start;
}

const NAME = new RegExp(`^${NETNS_PREFIX}(\\d{1,10})-(\\d{1,20})-([0-9a-f]{4})$`);

/** `hvb-<pid>-<start>-<4 hex>`: a namespace name that says which process owns it. */
export function networkName(owner: Owner, tag = randomBytes(2).toString('hex')): string {
  return `${NETNS_PREFIX}${owner.pid}-${owner.start}-${tag}`;
}

/** The owner written in a name made by networkName(); undefined for any other name, which hvbench never touches. */
export function parseNetworkName(name: string): Owner | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  return { pid: Number(m[1]), start: Number(m[2]) };
}
