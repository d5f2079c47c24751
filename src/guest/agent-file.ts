import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { HvbError } from '../util/errors.ts';

/** The guest agent's bytes (the initramfs /init) and their sha256. */
export async function readAgent(path: string): Promise<{ bytes: Buffer; sha256: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new HvbError('agent-missing', `guest agent not found at ${path}`, {
      hint: 'the agent is src/guest/agent/init.sh in the hvbench source tree; pass agentPath to use another file',
      cause: e,
    });
  }
  if (bytes.length === 0) throw new HvbError('agent-empty', `guest agent ${path} is empty`);
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
