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
