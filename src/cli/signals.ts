import { killAllVms } from '../backends/common/live-vms.ts';
import { closeAllNetworksSync } from '../network/netns-registry.ts';
import { closeAllSshHostsSync } from '../hosts/ssh-masters.ts';
import { stopBootingLabsSync } from '../labs/booting.ts';

/** Aborted on the first Ctrl-C or SIGTERM so the runner can record an interrupted run. */
export const interrupt = new AbortController();

/** What the first signal says the command is doing about it; undefined: nothing to wind down. */
let note: string | undefined;

/**
 * Says that this command winds down on the first signal (a run records itself as
 * interrupted, a lab stops booting) and what the signal's message says it does. Commands
 * that never call it (list, report, export, …) have nothing to save and exit at once.
 */
export function setInterruptNote(text: string): void {
  note = text;
}

/**
 * First SIGINT/SIGTERM: stop every VM, then, when the command winds down (setInterruptNote),
 * let it write down that it was interrupted and exit within 15 s; any other command exits
 * at once with 130, with nothing to wait for. A second signal exits at once (VMs are killed
 * either way).
 */
export function installSignalHandlers(): void {
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count++;
    // VMs first: a VMM inside a network namespace keeps the namespace alive.
    void killAllVms(`hvbench received ${signal}`);
    if (note === undefined) {
      process.stderr.write(`\nhvbench: ${signal} — stopped\n`);
      process.exit(130);
    }
    if (count === 1) {
      process.stderr.write(`\nhvbench: ${signal} — ${note} (again to quit at once)\n`);
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
    // A lab `lab … up` had not finished booting, and a half-written lab image (labs that came up stay up).
    stopBootingLabsSync();
    closeAllNetworksSync();
    // Last: ending the ssh masters also ends every remote VMM still tied to them.
    closeAllSshHostsSync();
  });
}
