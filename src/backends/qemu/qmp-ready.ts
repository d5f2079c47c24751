import { setTimeout as sleep } from 'node:timers/promises';
import { HvbError } from '../../util/errors.ts';
import { QmpClient, isQmpNotReady, type QmpEndpoint } from './qmp.ts';
import { settlesWithin } from '../common/settles-within.ts';

export interface QmpReadyOptions {
  /** Give up after this long (the socket never appeared or never answered). */
  timeoutMs: number;
  /** Resolves if the VMM exits; the wait then fails with `describeExit()`. */
  exited: Promise<unknown>;
  describeExit: () => string;
  /** Delay between connection attempts; default 25 ms. */
  pollMs?: number;
}

/**
 * Connects to a QMP socket that the VMM creates some time after it starts: retries while
 * the socket is missing or refuses, and fails at once if the VMM exits first. `target` is a
 * local socket path or an endpoint (a socket on another host).
 */
export async function connectQmpWhenReady(target: string | QmpEndpoint, options: QmpReadyOptions): Promise<QmpClient> {
  const socketPath = typeof target === 'string' ? target : target.label;
  const deadline = Date.now() + options.timeoutMs;
  let exited = false;
  const exitedFirst = options.exited.then(() => {
    exited = true;
    return 'exited' as const;
  });
  const exitError = (): HvbError =>
    new HvbError('vmm-exited', `the VMM exited before QMP was ready: ${options.describeExit()}`, {
      hint: "the VMM's own message above says why; check the VM spec and that the VMM binary works",
    });
  for (;;) {
    if (exited) throw exitError();
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new HvbError('vmm-start-timeout', `QMP socket ${socketPath} did not answer within ${options.timeoutMs} ms`);
    }
    const attempt = QmpClient.connect(target, { timeoutMs: remaining });
    const outcome = await Promise.race([
      attempt.then(
        (client) => ({ client }),
        (error: unknown) => ({ error }),
      ),
      exitedFirst,
    ]);
    if (outcome === 'exited') {
      attempt.then(
        (client) => client.close(),
        () => {},
      );
      throw exitError();
    }
    if ('client' in outcome) return outcome.client;
    if (!isQmpNotReady(outcome.error)) {
      // A connection that breaks mid-greeting usually means the VMM is dying: let it finish.
      await settlesWithin(exitedFirst, 200);
      if (exited) throw exitError();
      throw outcome.error;
    }
    await sleep(Math.min(options.pollMs ?? 25, Math.max(0, deadline - Date.now())));
  }
}
