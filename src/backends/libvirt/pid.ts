import type { Host } from '../../hosts/host.ts';
import { HvbError } from '../../util/errors.ts';

/** Where the system libvirtd's QEMU driver keeps each running domain's pid file. */
export const SYSTEM_PID_DIR = '/run/libvirt/qemu';

/**
 * The pid of a running domain's QEMU on its host: from the system daemon's pid file
 * (`/run/libvirt/qemu/<domain>.pid`), else the one QEMU whose command line names the domain
 * (`-name guest=<domain>,…`, as libvirt starts every QEMU; a session daemon keeps its pid
 * files under the user's runtime folder).
 */
export async function domainPid(host: Host, domain: string): Promise<number> {
  const fromFile = Number((await host.readFile(`${SYSTEM_PID_DIR}/${domain}.pid`).catch(() => '')).trim());
  if (Number.isInteger(fromFile) && fromFile > 1) return fromFile;
  const found = await host.exec(['pgrep', '-f', '--', `-name guest=${domain.replace(/\./g, '\\.')},`]);
  const pids = found.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((p) => Number.isInteger(p) && p > 1);
  if (pids.length !== 1) {
    throw new HvbError(
      'vmm-no-pid',
      `cannot find the QEMU of domain ${domain} on ${host.name}: ${pids.length === 0 ? 'no process names it' : `${pids.length} processes name it`}`,
    );
  }
  return pids[0]!;
}
