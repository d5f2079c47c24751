/** What the exit handler needs from an SSH host. */
interface ClosableSync {
  closeSync(): void;
}

/** Every SSH host not yet closed, so a dying hvbench can still stop their masters. */
const open = new Set<ClosableSync>();

export function rememberSshHost(host: ClosableSync): void {
  open.add(host);
}

export function forgetSshHost(host: ClosableSync): void {
  open.delete(host);
}

/**
 * Stops every multiplexing master synchronously (from `process.on('exit')`). Remote VMMs
 * die with their channels: their watchdogs see the end of stdin and kill their groups.
 */
export function closeAllSshHostsSync(): void {
  for (const host of [...open]) {
    open.delete(host);
    try {
      host.closeSync();
    } catch {
      // nothing better to do on the way out
    }
  }
}
