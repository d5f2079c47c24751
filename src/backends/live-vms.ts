import type { RunningVm } from './backend.ts';
import { killProcessGroup } from './process-group.ts';

/**
 * Every VM started by this process and not yet ended, so that a signal, an uncaught
 * exception or a failing test can stop them all. A VM adds itself when it starts and
 * removes itself when it has ended (powered off, exited or killed) and is cleaned up.
 */
export const liveVms: ReadonlySet<RunningVm> = new Set<RunningVm>();

/** Local process group of each live VM (its VMM, or later the ssh carrying it). */
const processGroups = new Map<RunningVm, number>();

/** Adds a VM; returns the function that removes it again. */
export function trackVm(vm: RunningVm, localProcessGroup: number): () => void {
  (liveVms as Set<RunningVm>).add(vm);
  processGroups.set(vm, localProcessGroup);
  return () => {
    (liveVms as Set<RunningVm>).delete(vm);
    processGroups.delete(vm);
  };
}

/**
 * Kills every live VM. The SIGKILLs go out synchronously, before the first `await`, so
 * this also works from `process.on('exit')`; the returned promise then waits for each
 * VM's cleanup (temporary directory removed). Usage is not read first: this is the
 * emergency path — use `vm.kill()` to keep a VM's final usage. Never throws.
 */
export function killAllVms(reason: string): Promise<void> {
  killAllVmsSync();
  return Promise.allSettled([...liveVms].map((vm) => vm.kill(reason))).then(() => undefined);
}

/** SIGKILL to every live VM's process group, nothing else. */
export function killAllVmsSync(): void {
  for (const group of processGroups.values()) {
    try {
      killProcessGroup(group);
    } catch {
      // EPERM: not ours to kill any more; nothing better to do on the way out.
    }
  }
}
