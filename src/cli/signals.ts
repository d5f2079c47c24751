import { killAllVms } from '../backends/common/live-vms.ts';
import { closeAllNetworksSync } from '../network/netns-registry.ts';
import { closeAllSshHostsSync } from '../hosts/ssh-masters.ts';
import { stopBootingLabsSync } from '../labs/booting.ts';
import { removeTempDirsSync } from '../hosts/local.ts';
import { abandonRunsSync } from '../results/store.ts';

/** Aborted on the first Ctrl-C or SIGTERM so the runner can record an interrupted run. */
export const interrupt = new AbortController();

/** What the first signal says the command is doing about it; undefined: nothing to wind down. */
let note: string | undefined;

/** How long a command that winds down may take after the first signal. */
const WIND_DOWN_MS = 15_000;

/** Why the process is quitting before its command wound down, once it is. */
let forced: string | undefined;

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
      setTimeout(() => {
        forced = `hvbench was still winding down ${WIND_DOWN_MS / 1000} s after ${signal} and quit`;
        process.stderr.write(`hvbench: ${forced}\n`);
        process.exit(130);
      }, WIND_DOWN_MS).unref();
    } else {
      forced = `a second ${signal} quit hvbench at once`;
      process.stderr.write(`hvbench: ${forced}\n`);
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', (code) => {
    void killAllVms('hvbench exited');
    // A lab `lab … up` had not finished booting, and a half-written lab image (labs that came up stay up).
    stopBootingLabsSync();
    closeAllNetworksSync();
    // What the asynchronous wind-down did not get to (a forced exit, an uncaught error): the
    // VM folders and scratch disks, and each run's own record of how it ended.
    removeTempDirsSync();
    const how = count > 0 ? 'interrupted' : 'failed';
    for (const dir of abandonRunsSync(how, forced ?? `hvbench exited (code ${code}) while the run was running`))
      process.stderr.write(`hvbench: ${dir} recorded as ${how}; \`hvbench run --resume\` runs what is missing\n`);
    // Last: ending the ssh masters also ends every remote VMM still tied to them.
    closeAllSshHostsSync();
  });
}
