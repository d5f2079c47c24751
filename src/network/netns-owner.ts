import { randomBytes } from 'node:crypto';
import { processStart } from '../util/proc.ts';
import { NETNS_PREFIX } from './netns-plan.ts';

/**
 * The process that owns a network: its pid and its start time (clock ticks after boot,
 * field 22 of /proc/<pid>/stat). Together they name one process for the machine's uptime,
 * even after the pid is reused.
 */
export interface Owner {
  pid: number;
  start: number;
}

export function selfOwner(): Owner {
  const start = processStart(process.pid);
  if (start === undefined) throw new Error('cannot read /proc/self/stat');
  return { pid: process.pid, start };
}

/** True while the owner's process runs: same pid, same start time, not a zombie. */
export function ownerAlive(owner: Owner): boolean {
  return processStart(owner.pid) === owner.start;
}

const NAME = new RegExp(`^${NETNS_PREFIX}(\\d{1,10})-(\\d{1,20})-([0-9a-f]{4})$`);

/** `hvb-<pid>-<start>-<4 hex>`: a namespace name that says which process owns it. */
export function networkName(owner: Owner, tag = randomBytes(2).toString('hex')): string {
  return `${NETNS_PREFIX}${owner.pid}-${owner.start}-${tag}`;
}

/** The owner written in a name made by networkName(); undefined for any other name, which hvbench never touches. */
export function parseNetworkName(name: string): Owner | undefined {
  const m = NAME.exec(name);
  if (!m) return undefined;
  return { pid: Number(m[1]), start: Number(m[2]) };
}
