import type { RunningVm } from './backend.ts';
import { killProcessGroup } from '../../util/proc-group.ts';

/**
 * Every VM started by this process and not yet ended, so that a signal, an uncaught
 * exception or a failing test can stop them all. A VM adds itself when it starts and
 * removes itself when it has ended (powered off, exited or killed) and is cleaned up.
 */
export const liveVms: ReadonlySet<RunningVm> = new Set<RunningVm>();

interface Tracked {
  /** Local process group: the VMM's own, or that of the ssh carrying a remote VMM. */
  localProcessGroup: number;
  /** For a VMM on another host: kills its process group there (asynchronous, never throws). */
  remoteKill: (() => Promise<void>) | undefined;
}

const tracked = new Map<RunningVm, Tracked>();

/**
 * Adds a VM; returns the function that removes it again. A remote VM passes `remoteKill`,
 * which reaches its VMM on the other host.
 */
export function trackVm(vm: RunningVm, localProcessGroup: number, remoteKill?: () => Promise<void>): () => void {
  (liveVms as Set<RunningVm>).add(vm);
  tracked.set(vm, { localProcessGroup, remoteKill });
  return () => {
    (liveVms as Set<RunningVm>).delete(vm);
    tracked.delete(vm);
  };
}

/**
 * Kills every live VM. The local SIGKILLs go out synchronously, before the first `await`, so
 * this also works from `process.on('exit')`; remote VMMs are then killed on their hosts,
 * asynchronously (and die anyway once their ssh is gone: the remote watchdog sees the
 * channel close). The returned promise waits for each VM's cleanup (temporary directory
 * removed). Usage is not read first: this is the emergency path — use `vm.kill()` to keep a
 * VM's final usage. Never throws.
 */
export function killAllVms(reason: string): Promise<void> {
  const remote = [...tracked.values()].flatMap((t) => (t.remoteKill === undefined ? [] : [t.remoteKill]));
  killAllVmsSync();
  return Promise.allSettled([...remote.map((kill) => kill()), ...[...liveVms].map((vm) => vm.kill(reason))]).then(() => undefined);
}

/**
 * SIGKILL to every live VM's local process group, nothing else. For a remote VM that is its
 * ssh, whose end makes the remote watchdog kill the VMM.
 */
export function killAllVmsSync(): void {
  for (const { localProcessGroup } of tracked.values()) {
    try {
      killProcessGroup(localProcessGroup);
    } catch {
      // EPERM: not ours to kill any more; nothing better to do on the way out.
    }
  }
}
