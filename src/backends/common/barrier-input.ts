import type { Writable } from 'node:stream';
import { HvbError } from '../../util/errors.ts';

/**
 * Writes the line that releases a density case's start barrier (`go <token>`, see the job's
 * `barrier` line in src/guest/protocol/job.ts) to a VM's input: QEMU's stdin, which is the
 * guest's serial console, or a native run's barrier pipe. Resolves once the bytes are handed
 * to the pipe; throws, naming `what`, when the input is gone.
 */
export async function writeGoLine(input: Writable | null | undefined, token: string, what: string): Promise<void> {
  if (!input || input.destroyed || input.writableEnded) {
    throw new HvbError('barrier-input', `cannot release the start barrier: ${what} is closed`);
  }
  await new Promise<void>((resolve, reject) => {
    input.write(`go ${token}\n`, (error) =>
      error ? reject(new HvbError('barrier-input', `cannot release the start barrier through ${what}: ${error.message}`)) : resolve(),
    );
  });
}
