/**
 * Every network this process opened and has not closed yet, so that a signal, an uncaught
 * exception or a failing test can remove them all. Works like backends/common/live-vms.ts: stop
 * the VMs first (killAllVmsSync), then the networks, because a VMM inside a namespace keeps
 * the namespace, and its tap, alive.
 */
export interface LiveNetwork {
  name: string;
  close(): Promise<void>;
  /** Kills the peers, removes the namespace, the peer root and the state file; synchronous, never throws. */
  closeSync(): void;
}

export const liveNetworks: ReadonlySet<LiveNetwork> = new Set<LiveNetwork>();

let exitHookInstalled = false;

/**
 * Adds a network; returns the function that removes it again. The first network installs
 * a `process.on('exit')` hook that removes whatever is still open, so a run that ends
 * through process.exit() (a second Ctrl-C, an uncaught exception) leaves nothing behind.
 */
export function trackNetwork(network: LiveNetwork): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', closeAllNetworksSync);
  }
  (liveNetworks as Set<LiveNetwork>).add(network);
  return () => {
    (liveNetworks as Set<LiveNetwork>).delete(network);
  };
}

/** Synchronous cleanup of every live network, for `process.on('exit')`. */
export function closeAllNetworksSync(): void {
  for (const network of [...liveNetworks]) {
    try {
      network.closeSync();
    } catch {
      // On the way out; cleanLeftovers() finds what is left at the next start.
    }
  }
  (liveNetworks as Set<LiveNetwork>).clear();
}

/** Closes every live network and waits for it; never throws. */
export function closeAllNetworks(): Promise<void> {
  return Promise.allSettled([...liveNetworks].map((n) => n.close())).then(() => undefined);
}
