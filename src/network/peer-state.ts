import { readJsonRecords } from '../util/json-records.ts';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { defaultCacheDir } from '../guest/cache.ts';
import { writeFileAtomic } from '../guest/fs-atomic.ts';

/**
 * What one open network left on the machine, written before its first peer starts and
 * updated as they do, so that the next hvbench can clean up after a crash:
 * `<cache>/net/<name>.json`. The namespace's name says who owns it, but peers on the
 * host's loopback (user-mode networking) are found only through this file.
 */
export const networkStateSchema = z.strictObject({
  name: z.string(),
  mode: z.enum(['tap', 'user']),
  owner: z.strictObject({ pid: z.number().int(), start: z.number().int() }),
  netns: z.string().optional(),
  /** The peer root (symbolic links), removed with the network. */
  tempDir: z.string().optional(),
  peers: z.array(z.strictObject({ name: z.string(), pid: z.number().int(), start: z.number().int() })),
});

export type NetworkState = z.infer<typeof networkStateSchema>;

export function defaultStateDir(): string {
  return join(defaultCacheDir(), 'net');
}

export function stateFile(stateDir: string, name: string): string {
  return join(stateDir, `${name}.json`);
}

export function writeNetworkState(stateDir: string, state: NetworkState): Promise<void> {
  return writeFileAtomic(stateFile(stateDir, state.name), `${JSON.stringify(state, null, 2)}\n`);
}

/** Synchronous, never throws: also used on the way out. */
export function removeNetworkState(stateDir: string, name: string): void {
  rmSync(stateFile(stateDir, name), { force: true });
}

/** Every readable state file; unreadable ones are reported by file name so they can be removed. */
export function readNetworkStates(stateDir: string): { states: NetworkState[]; unreadable: string[] } {
  const { records, unreadable } = readJsonRecords(stateDir, networkStateSchema);
  return { states: records, unreadable };
}
