import type { ManifestFieldName } from '../results/manifest.ts';

/**
 * Kernel arguments a backend adds to the job's command line, by name: the console, and the
 * board's own (microvm's pci=off and TSC rate). They differ by nature between backends and
 * are kept apart from the command line that must match.
 */
const BACKEND_ARGS = new Set(['console', 'earlycon', 'earlyprintk', 'pci', 'tsc_early_khz', 'tsc', 'reboot']);

/** What one boot read back, from the guest and from its VMM. */
export interface ManifestInput {
  /** The guest's `fact` frames (src/guest/agent/init.sh). */
  facts: Readonly<Record<string, string>>;
  /** The kernel release in the guest's `ready` frame. */
  kernel?: string;
  /** What the VMM says it gave the guest (RunningVm.readBack), e.g. `disk_cache`. */
  vmm?: Readonly<Record<string, string>>;
  /** The short hash of the guest image's kernel and initramfs. */
  image: string;
}

/**
 * The manifest fields of one boot (see src/results/manifest.ts for what each must match).
 * Only what was read is there: a field the guest or its VMM did not report is left out,
 * never filled in from the spec.
 */
export function manifestFields(input: ManifestInput): Record<string, string> {
  const f = input.facts;
  const out: Record<string, string> = { image: input.image };
  const set = (name: ManifestFieldName, value: string | undefined) => {
    if (value !== undefined && value !== '' && value !== 'unknown') out[name] = value;
  };
  set('on', f['on']);
  const cpus = cpuCount(f['cpus_allowed']) ?? cpuCount(f['cpus_online']);
  if (cpus !== undefined) out.cpus = String(cpus);
  set('topology', topology(f));
  set('memory_kib', positive(f['mem_kib']));
  set('kernel', input.kernel);
  const cmdline = decodeCmdline(f['cmdline']);
  if (cmdline !== undefined) {
    const words = cmdline.split(/\s+/).filter((w) => w !== '');
    const backend = words.filter((w) => BACKEND_ARGS.has(argName(w)));
    out.cmdline = words.filter((w) => !BACKEND_ARGS.has(argName(w))).join(' ');
    if (backend.length > 0) out.cmdline_backend = backend.join(' ');
  }
  set('clocksource', f['clocksource']);
  if (f['hypervisor'] !== undefined && f['on'] !== 'host') set('hypervisor', f['hypervisor']);
  set('disk_write_cache', f['disk_write_cache']);
  set('disk_queues', positive(f['disk_mq']));
  set('disk_nr_requests', positive(f['disk_nr_requests']));
  set('disk_scheduler', f['disk_scheduler']);
  set('disk_drivers', f['disk_drivers']);
  set('nic_rx_queues', positive(f['nic_rx_queues']));
  set('nic_tx_queues', positive(f['nic_tx_queues']));
  set('nic_drivers', f['nic_drivers']);
  set('disk_cache', input.vmm?.['disk_cache']);
  set('nic_offloads', f['nic_features']);
  return out;
}

function argName(word: string): string {
  const eq = word.indexOf('=');
  return eq < 0 ? word : word.slice(0, eq);
}

/** The number of CPUs in a list like `0-3,8,10-11`; undefined when it is not one. */
export function cpuCount(list: string | undefined): number | undefined {
  if (list === undefined || !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(list)) return undefined;
  let n = 0;
  for (const part of list.split(',')) {
    const [lo, hi] = part.split('-').map(Number) as [number, number | undefined];
    n += hi === undefined ? 1 : hi - lo + 1;
  }
  return n;
}

/** `sockets=1,cores=2,threads=1` from /proc/cpuinfo's physical ids, siblings and cores per socket. */
function topology(f: Readonly<Record<string, string>>): string | undefined {
  const sockets = Number(f['cpu_sockets']);
  const siblings = Number(f['cpu_siblings']);
  const cores = Number(f['cpu_cores']);
  if (!(sockets > 0 && siblings > 0 && cores > 0)) return undefined;
  return `sockets=${sockets},cores=${cores},threads=${Math.max(1, Math.round(siblings / cores))}`;
}

function positive(text: string | undefined): string | undefined {
  return text !== undefined && /^[1-9]\d*$/.test(text) ? text : undefined;
}

/** The agent sends the command line base64url without padding (it holds spaces and =). */
function decodeCmdline(text: string | undefined): string | undefined {
  if (text === undefined || text === '') return undefined;
  return Buffer.from(text, 'base64url').toString('utf8');
}
