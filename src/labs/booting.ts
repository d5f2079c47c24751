import { readFileSync, rmSync } from 'node:fs';
import { killQuietly, processArgv, processGone, processStart } from '../util/proc.ts';

/**
 * What this process must not leave behind if it exits in the middle of `lab … up` (a second
 * Ctrl-C, the signal handler's deadline): the QEMU of a lab it is booting with that lab's
 * state folder, and the temporary folder of a lab image it is writing. Normally `labUp` and
 * `buildLabImage` clean up themselves when their AbortSignal fires; this is the last resort,
 * run from `process.on('exit')` (see src/cli/signals.ts), so everything here is synchronous.
 * A lab that came up completely is no longer tracked: labs outlive the command that made them.
 */
interface BootingLab {
  dir: string;
  pidFile: string;
  consoleLog: string;
  qemu?: { pid: number; startTicks: number };
}

const booting = new Set<BootingLab>();
const tempDirs = new Set<string>();

export interface BootingLabHandle {
  /** QEMU has started: its pid and start time (field 22 of /proc/<pid>/stat). */
  started(pid: number, startTicks: number): void;
  /** The boot finished (the lab is up) or was cleaned up: stop tracking it. */
  done(): void;
}

/** Tracks a lab this process is booting, from before its state folder is made until it is up or taken down. */
export function trackBootingLab(paths: { dir: string; pidFile: string; consoleLog: string }): BootingLabHandle {
  const entry: BootingLab = { dir: paths.dir, pidFile: paths.pidFile, consoleLog: paths.consoleLog };
  booting.add(entry);
  return {
    started: (pid, startTicks) => {
      entry.qemu = { pid, startTicks };
    },
    done: () => {
      booting.delete(entry);
    },
  };
}

/** Tracks a temporary folder to remove if the process exits before its owner removed or renamed it. */
export function trackTempDir(dir: string): () => void {
  tempDirs.add(dir);
  return () => {
    tempDirs.delete(dir);
  };
}

/** The QEMU of a half-booted lab: the pid it recorded, or else the one in its pid file, if that process still names the lab's console log. */
function qemuOf(b: BootingLab): number | undefined {
  const candidates: { pid: number; startTicks?: number }[] = [];
  if (b.qemu) candidates.push(b.qemu);
  try {
    const pid = Number(readFileSync(b.pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 0) candidates.push({ pid });
  } catch {
    // no pid file (yet)
  }
  for (const c of candidates) {
    if (processGone(c.pid)) continue;
    if (c.startTicks !== undefined && processStart(c.pid) !== c.startTicks) continue;
    if ((processArgv(c.pid) ?? []).some((a) => a.includes(b.consoleLog))) return c.pid;
  }
  return undefined;
}

/**
 * SIGKILL to the QEMU of every lab still booting, its state folder removed, and every tracked
 * temporary folder removed. Synchronous; never throws.
 */
export function stopBootingLabsSync(): void {
  for (const b of booting) {
    const pid = qemuOf(b);
    if (pid !== undefined) killQuietly(pid);
    try {
      rmSync(b.dir, { recursive: true, force: true });
    } catch {
      // nothing better to do on the way out
    }
  }
  booting.clear();
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // as above
    }
  }
  tempDirs.clear();
}
