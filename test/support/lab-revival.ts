import { consoleTail } from '../../src/labs/console.ts';
import { labDown, labStatus, labUp, type LabUpResult } from '../../src/labs/lab.ts';
import type { LabName } from '../../src/labs/recipe.ts';

/**
 * Runs a lab test's body; when it fails and the lab no longer answers over SSH (a nested lab
 * hangs now and then: its vCPU stuck after `vmrun`, its kernel gone; notes in docs/labs.md),
 * prints why and the lab console's last lines, boots the lab again and runs the body once
 * more. A failure while the lab still answers is the test's own and is thrown as it is; so is
 * a second failure. `onRevived` gets the new lab, whose port and pid differ.
 */
export async function withLabRevival<T>(
  lab: LabName,
  stateRoot: string,
  body: () => Promise<T>,
  onRevived: (up: LabUpResult) => void | Promise<void>,
): Promise<T> {
  try {
    return await body();
  } catch (e) {
    const status = await labStatus(lab, { stateRoot });
    if (status.up && status.sshAnswers) throw e;
    const tail = status.state ? await consoleTail(status.state.consoleLog, 40) : '(no console: the lab is down)';
    process.stderr.write(
      `${lab} lab: stopped answering during this test (${status.up ? `ssh: ${status.sshProblem}` : 'its QEMU is gone'}); the test failed with: ${
        e instanceof Error ? e.message.split('\n')[0] : String(e)
      }\n${lab} lab console, last lines:\n${tail}\n${lab} lab: booting it again and running the test once more\n`,
    );
    await labDown(lab, { stateRoot });
    await onRevived(await labUp(lab, { stateRoot, log: (l) => process.stderr.write(`${lab} lab: ${l}\n`) }));
    return body();
  }
}
