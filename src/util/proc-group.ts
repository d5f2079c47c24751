import { readdir, readFile } from 'node:fs/promises';
import { isZombie, parseStat } from './proc.ts';

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

/** The process group id (field 5) from the text of /proc/<pid>/stat, read here or on another host; undefined if unreadable. */
export function parseProcessGroup(statText: string): number | undefined {
  const group = parseStat(statText)?.pgrp;
  return group !== undefined && group > 0 ? group : undefined;
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
    const text = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const stat = parseStat(text);
    if (stat === undefined || stat.pgrp !== pgid || isZombie(stat)) continue;
    found.push({ pid: Number(entry), state: stat.state, comm: stat.comm });
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
