import { AsyncLocalStorage } from 'node:async_hooks';
import type { ExecResult, Host } from './host.ts';
import { SSH_FAILED } from './ssh-errors.ts';

/**
 * How many times a setup command lost to an ssh transport failure is run again. dropbear
 * (the labs' server) now and then ends a short session with ssh exiting 255 and saying
 * nothing, though the host answers the next command at once; a setup step should not end
 * the case for that.
 */
export const SETUP_RETRIES = 1;

/** One setup command that was run again, for the record. */
export interface TransientRetry {
  host: string;
  /** The program (or, for a shell command, its first word). */
  command: string;
  /** Which attempt failed (1 = the first). */
  attempt: number;
  at: string;
}

const record: TransientRetry[] = [];

/**
 * Who hears of a retry: the runner's listener for the work in progress (a host's inspection,
 * a case's setup or boot). Carried by the async context rather than passed down, because the
 * setup commands sit deep under the runner (a backend's launch making its VM folder, a
 * scratch disk being written), and hosts run side by side, each with its own listener.
 */
const listeners = new AsyncLocalStorage<(retry: TransientRetry) => void>();

/** Every retry this process made, oldest first. */
export function transientRetries(): readonly TransientRetry[] {
  return record;
}

/**
 * Runs `work`, telling `listener` of every setup command retried inside it (also in what it
 * starts and awaits), besides the process-wide list. A listener inside another replaces it.
 */
export function withRetryListener<T>(listener: (retry: TransientRetry) => void, work: () => Promise<T>): Promise<T> {
  return listeners.run(listener, work);
}

/**
 * Whether a result is ssh's own transport failure: exit 255 with nothing on stderr, on a host
 * reached over ssh. (ssh's known connection messages are turned into errors before this; a
 * local program's 255 is its own.)
 */
export function isTransientSshFailure(host: Pick<Host, 'kind'>, result: ExecResult): boolean {
  return host.kind !== 'local' && result.exitCode === SSH_FAILED && result.stderr.trim() === '';
}

/**
 * Runs an idempotent setup step, and runs it again (at most SETUP_RETRIES times) when ssh
 * lost it. Never for a measured step: its second run would measure something else.
 */
export async function retrySetup<T extends ExecResult>(host: Pick<Host, 'name' | 'kind'>, command: string, run: () => Promise<T>): Promise<T> {
  let result = await run();
  for (let attempt = 1; attempt <= SETUP_RETRIES && isTransientSshFailure(host, result); attempt++) {
    const retry = { host: host.name, command, attempt, at: new Date().toISOString() };
    record.push(retry);
    listeners.getStore()?.(retry);
    result = await run();
  }
  return result;
}

/** `host.exec` for an idempotent setup command (mkdir -p, writing a file anew), retried as above. */
export function execSetup(host: Host, argv: string[], options?: { timeoutMs?: number; input?: string }): Promise<ExecResult> {
  return retrySetup(host, argv[0] ?? '', () => host.exec(argv, options));
}
