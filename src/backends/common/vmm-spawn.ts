import type { HostProcess } from '../../hosts/host.ts';
import { HvbError } from '../../util/errors.ts';

/** A VMM process that did start: its local pid is known. */
export type StartedProcess = HostProcess & { readonly pid: number };

/**
 * The spawned VMM, or, when it could not be started at all (no such program), the error
 * `vmm-spawn-failed` naming `what` and the reason, thrown after `cleanUp` removed what was
 * made for it.
 */
export async function startedVmm(child: HostProcess, what: string, cleanUp: () => Promise<void>, hint?: string): Promise<StartedProcess> {
  if (child.pid !== undefined) return child as StartedProcess;
  const exit = await child.exited;
  await cleanUp().catch(() => {});
  throw new HvbError('vmm-spawn-failed', `cannot start ${what}: ${exit.error ?? `exit code ${exit.exitCode}`}`, hint === undefined ? {} : { hint });
}
