import type { Host } from '../hosts/host.ts';
import { processStart } from '../util/proc.ts';
import { removeRestoreRecord, type RestoreRecord } from './restore-record.ts';
import { restoreChanges } from './stabilize.ts';

/** One line for a restore record left by a killed run, as `doctor` and `clean` list it. */
export function describeRestoreRecord(r: RestoreRecord): string {
  const what = r.changes.map((c) => `${c.path} ${c.applied} → ${c.previous}`).join(', ');
  return `host settings --stabilize changed on ${r.host} (run of process ${r.owner.pid}, gone): ${what || 'nothing'}`;
}

/**
 * Writes back what a killed stabilised run changed, on the local host (a record of a remote
 * host is left, with the commands to put its values back by hand: `clean` does not reach
 * remote hosts). The record is checked again (its owner still gone) and removed once every
 * value is back.
 */
export async function restoreOrphan(r: RestoreRecord, stateDir: string, localHost: Host): Promise<{ removed?: string; problem?: string }> {
  if (processStart(r.owner.pid) === r.owner.start) return {};
  if (r.hostKind !== 'local')
    return {
      problem: `${r.host} is not this machine: put its settings back there by hand (${r.changes.map((c) => `echo ${c.previous} > ${c.path}`).join('; ')}), then remove this record`,
    };
  const problems = await restoreChanges(localHost, r);
  if (problems.length > 0) return { problem: problems.join('; ') };
  removeRestoreRecord(stateDir, r);
  return { removed: `restored on ${r.host}: ${r.changes.map((c) => `${c.path} = ${c.previous}`).join(', ')}` };
}
