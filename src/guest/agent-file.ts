import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
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
  return { bytes, sha256: sha256(bytes) };
}

/**
 * Scripts the agent calls, shipped next to it as `/usr/bin/<name>` in the base initramfs:
 * `hvb-dev` names the disk or NIC the host attached and the drivers bound to it,
 * `hvb-fresh` drops the guest's caches before running a command.
 */
export const AGENT_HELPERS = ['hvb-dev', 'hvb-fresh'] as const;

export interface AgentHelper {
  name: string;
  bytes: Buffer;
  sha256: string;
}

/** Reads the helper scripts (`<dir>/<name>.sh`), in AGENT_HELPERS order. */
export async function readHelpers(dir: string): Promise<AgentHelper[]> {
  return Promise.all(
    AGENT_HELPERS.map(async (name) => {
      const path = join(dir, `${name}.sh`);
      const bytes = await readFile(path).catch((e: unknown) => {
        throw new HvbError('agent-missing', `guest agent helper ${name} not found at ${path}`, { cause: e });
      });
      return { name, bytes, sha256: sha256(bytes) };
    }),
  );
}

/** The helpers' hashes by name, as the manifest records them. */
export function helperHashes(helpers: readonly AgentHelper[]): Record<string, string> {
  return Object.fromEntries(helpers.map((h) => [h.name, h.sha256]));
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
