import type { Host } from '../../hosts/host.ts';
import type { Capability } from '../common/backend.ts';
import { parseXlList, xenInfo } from './info.ts';
import { firstLine } from '../../util/first-line.ts';

const PROBE_TIMEOUT_MS = 30_000;
/** Exit code of a command that was not found (a shell's, and the Host contract's). */
const NOT_FOUND = 127;

/** Names of hvbench's domains (xenDomainName()). */
export const XEN_DOMAIN_PREFIX = 'hvb-';

/** The verdict on a machine that is not a Xen dom0 (no /proc/xen/capabilities). */
export const NOT_A_DOM0 = 'not a Xen dom0: /proc/xen/capabilities does not exist (this machine does not run under Xen, or xenfs is not mounted)';
const DOM0_HINT = 'run hvbench against a Xen dom0 host (e.g. the Xen lab: `hvbench lab xen up`), or boot this machine with Xen';

/**
 * Whether this host can run Xen guests, from evidence: it is the control domain
 * (/proc/xen/capabilities says `control_d`), `xl info` answers (so xenstored runs and xl
 * may talk to Xen), xenconsoled runs and /var/lock exists (xl's console client needs both).
 * Facts: `xen` (version), `dom0_kernel`, `xen_scheduler`, `xen_guest_types` (from virt_caps),
 * memory and CPUs, and `leftover_domains` when hvb- domains of an earlier run remain.
 */
export async function probeXen(host: Host, xl: readonly string[] = ['xl']): Promise<Capability> {
  const facts: Record<string, string> = {};
  const no = (reason: string, hint?: string): Capability => ({ backend: 'xen', available: false, reason, facts, ...(hint ? { hint } : {}) });

  let capabilities: string;
  try {
    capabilities = await host.readFile('/proc/xen/capabilities');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || /ENOENT|No such file/i.test(String(error))) return no(NOT_A_DOM0, DOM0_HINT);
    return no(`cannot read /proc/xen/capabilities: ${error instanceof Error ? error.message : String(error)}`, DOM0_HINT);
  }
  if (!capabilities.split(/\s+/).includes('control_d')) {
    return no('a Xen guest, not the dom0: /proc/xen/capabilities does not say control_d', DOM0_HINT);
  }

  const info = await host.exec([...xl, 'info'], { timeoutMs: PROBE_TIMEOUT_MS });
  if (info.exitCode === NOT_FOUND)
    return no(`this is a Xen dom0, but ${xl.join(' ')} was not found`, 'install the Xen tools (Debian: apt-get install xen-utils)');
  const parsed = info.exitCode === 0 ? xenInfo(info.stdout) : undefined;
  if (!parsed) {
    return no(
      `this is a Xen dom0, but \`${xl.join(' ')} info\` failed: ${firstLine(info.stderr || info.stdout) || `exit code ${info.exitCode}`}`,
      'xl needs root and a running xenstored (Debian: the xen-utils service)',
    );
  }
  facts['xen'] = parsed.version;
  facts['dom0_kernel'] = parsed.dom0Kernel;
  facts['xen_scheduler'] = parsed.scheduler;
  facts['xen_virt_caps'] = parsed.virtCaps.join(' ');
  facts['xen_guest_types'] = parsed.guestTypes.join(',');
  if (parsed.freeMemoryMiB !== undefined) facts['xen_free_memory_mib'] = String(parsed.freeMemoryMiB);
  if (parsed.totalMemoryMiB !== undefined) facts['xen_total_memory_mib'] = String(parsed.totalMemoryMiB);
  if (parsed.nrCpus !== undefined) facts['xen_cpus'] = String(parsed.nrCpus);
  if (parsed.guestTypes.length === 0) return no(`Xen ${parsed.version} reports no guest type it can run (virt_caps: ${facts['xen_virt_caps'] || 'empty'})`);

  const consoled = await host.exec(['pidof', 'xenconsoled'], { timeoutMs: PROBE_TIMEOUT_MS });
  if (consoled.exitCode !== 0 && consoled.exitCode !== NOT_FOUND) {
    return no(
      `Xen ${parsed.version} runs, but xenconsoled does not: hvbench reads the guest console through it`,
      'start xenconsoled (Debian: the xen-utils service)',
    );
  }
  const lock = await host.exec(['test', '-d', '/var/lock'], { timeoutMs: PROBE_TIMEOUT_MS });
  if (lock.exitCode !== 0)
    return no(`Xen ${parsed.version} runs, but /var/lock does not exist: xl's console client keeps its lock there`, 'mkdir -p /var/lock');

  const listed = await host.exec([...xl, 'list'], { timeoutMs: PROBE_TIMEOUT_MS });
  const leftovers = listed.exitCode === 0 ? parseXlList(listed.stdout).filter((d) => d.name.startsWith(XEN_DOMAIN_PREFIX)) : [];
  let note = '';
  if (leftovers.length > 0) {
    facts['leftover_domains'] = leftovers.map((d) => d.name).join(',');
    note = `; ${leftovers.length} hvb- domain(s) of another run exist (${leftovers.reduce((n, d) => n + d.memMiB, 0)} MiB): destroy them with xl destroy if no run uses them`;
  }
  return {
    backend: 'xen',
    available: true,
    reason: `Xen ${parsed.version} dom0 (${parsed.scheduler} scheduler), guest types ${parsed.guestTypes.join(', ')}${note}`,
    facts,
  };
}

/** hvbench's domains on a dom0 (names starting with `hvb-`), e.g. leftovers of a run that was killed. */
export async function listXenDomains(host: Host, xl: readonly string[] = ['xl']): Promise<string[]> {
  const listed = await host.exec([...xl, 'list'], { timeoutMs: PROBE_TIMEOUT_MS });
  if (listed.exitCode !== 0) return [];
  return parseXlList(listed.stdout)
    .map((d) => d.name)
    .filter((name) => name.startsWith(XEN_DOMAIN_PREFIX));
}
