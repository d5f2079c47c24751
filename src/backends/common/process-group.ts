import { readdir, readFile } from 'node:fs/promises';

/**
 * Sends a signal to a whole process group (the VMM was started as its leader, with
 * `detached: true`). Returns false when the group no longer exists.
 */
export function killProcessGroup(leaderPid: number, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  try {
    process.kill(-leaderPid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** True while a process (or zombie) with this pid exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process group id (field 5) from the text of /proc/<pid>/stat; undefined if unreadable. */
export function parseProcessGroup(statText: string): number | undefined {
  const end = statText.lastIndexOf(')');
  if (end < 0) return undefined;
  // After the command name: state, ppid, pgrp, …
  const group = Number(statText.slice(end + 1).trim().split(/\s+/)[2]);
  return Number.isInteger(group) && group > 0 ? group : undefined;
}

/** A process still in a group: its pid, state letter (R, S, D …) and command name. */
export interface GroupMember {
  pid: number;
  state: string;
  comm: string;
}

/** The live members of a process group, from /proc (zombies hold nothing but a pid: left out). */
export async function groupMembers(pgid: number): Promise<GroupMember[]> {
  const found: GroupMember[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (stat === undefined || parseProcessGroup(stat) !== pgid) continue;
    const end = stat.lastIndexOf(')');
    const state = stat.slice(end + 1).trim()[0] ?? '?';
    if (state === 'Z' || state === 'X') continue;
    found.push({ pid: Number(entry), state, comm: stat.slice(stat.indexOf('(') + 1, end) });
  }
  return found;
}

/**
 * Kills a process group and waits until none of its processes is left. SIGKILL sent to a
 * group reaches every member at once (a member forking at that moment takes its child with
 * it: the kernel delivers the group signal to the child, or fails the fork), but each
 * member still has to be scheduled to run its exit, and a member in uninterruptible sleep
 * (D, e.g. direct I/O) exits only when that I/O ends. So a group is gone when /proc says
 * so, not when its leader was reaped. The signal is sent again while members remain.
 * Returns the members still there after `timeoutMs` (normally none).
 */
export async function killGroupAndWait(pgid: number, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<GroupMember[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const pollMs = options.pollMs ?? 20;
  for (;;) {
    const members = await groupMembers(pgid);
    if (members.length === 0) return [];
    if (Date.now() >= deadline) return members;
    // Members exist, so the group id is still theirs (a pid is not reused while it names a group).
    killProcessGroup(pgid);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
