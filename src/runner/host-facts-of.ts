import type { Host } from '../hosts/host.ts';
import { hostFacts, hostFactsFrom } from '../results/host-facts.ts';
import type { HostFacts } from '../results/run-record.ts';
import { HvbError } from '../util/errors.ts';

/** How long a remote host may take to answer the first command (a busy lab is slow). */
export const HOST_ANSWER_TIMEOUT_MS = 120_000;

/**
 * The facts of a host, read where it is: the local machine directly, a remote host through
 * its own commands. A remote host that does not answer is an HvbError `host-unreachable`.
 */
export async function factsOf(host: Host): Promise<HostFacts> {
  if (host.kind === 'local') return hostFacts(host.name);
  const uname = async (flag: string): Promise<string> => {
    const r = await host.exec(['uname', flag], { timeoutMs: HOST_ANSWER_TIMEOUT_MS });
    if (r.exitCode !== 0) throw new HvbError('host-unreachable', `host ${host.name} did not answer: ${r.stderr.trim() || `exit code ${r.exitCode}`}`);
    return r.stdout;
  };
  const hostname = await uname('-n');
  const [kernel, machine, cpuinfo, meminfo, osRelease] = await Promise.all([
    uname('-r'),
    uname('-m'),
    host.readFile('/proc/cpuinfo'),
    host.readFile('/proc/meminfo'),
    host.readFile('/etc/os-release').catch(() => ''),
  ]);
  return hostFactsFrom(host.name, { cpuinfo, osRelease, meminfo, hostname, kernel, machine });
}
