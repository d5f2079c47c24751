import { killAllVms } from '../backends/live-vms.ts';
import { closeAllNetworksSync } from '../hosts/netns-registry.ts';
import { closeAllSshHostsSync } from '../hosts/ssh-masters.ts';

/** Aborted on the first Ctrl-C or SIGTERM so the runner can record an interrupted run. */
export const interrupt = new AbortController();

/**
 * First SIGINT/SIGTERM: stop every VM, let the runner write down that the run was
 * interrupted, and exit. A second signal exits at once (VMs are killed either way).
 */
export function installSignalHandlers(): void {
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    // VMs first: a VMM inside a network namespace keeps the namespace alive.
    void killAllVms(`hvbench received ${signal}`);
    if (count === 1) {
      process.stderr.write(`\nhvbench: ${signal} — stopping the VMs and saving what was measured (again to quit at once)\n`);
      interrupt.abort(signal);
      setTimeout(() => process.exit(130), 15_000).unref();
    } else {
      closeAllNetworksSync();
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', () => {
    void killAllVms('hvbench exited');
    closeAllNetworksSync();
    // Last: ending the ssh masters also ends every remote VMM still tied to them.
    closeAllSshHostsSync();
  });
}
