import type { XenGuestType } from './devices.ts';

/** `xl info` as key → value (`key : value` lines; a key that repeats keeps its first value). */
export function parseXlInfo(text: string): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([a-z_][a-z0-9_]*)\s*:\s?(.*)$/.exec(line.trimEnd());
    if (m && !(m[1]! in info)) info[m[1]!] = m[2]!.trim();
  }
  return info;
}

/** What hvbench needs from `xl info`, checked. */
export interface XenInfo {
  /** e.g. `4.17.5`, from xen_version (or xen_major.xen_minor + xen_extra). */
  version: string;
  /** The dom0 kernel release (`release`). */
  dom0Kernel: string;
  /** `credit2`, `credit`, `rtds`, `arinc653`, `null`. */
  scheduler: string;
  /** Raw `virt_caps`, e.g. `pv hvm hap shadow`. */
  virtCaps: string[];
  /** Guest types this Xen can run, from virt_caps: `pv` needs PV support, PVH and HVM need `hvm`. */
  guestTypes: XenGuestType[];
  freeMemoryMiB: number | undefined;
  totalMemoryMiB: number | undefined;
  nrCpus: number | undefined;
}

/** Reads `xl info` output; undefined when it is not xl info (no version found). */
export function xenInfo(text: string): XenInfo | undefined {
  const raw = parseXlInfo(text);
  const version =
    raw['xen_version'] ??
    (raw['xen_major'] !== undefined && raw['xen_minor'] !== undefined ? `${raw['xen_major']}.${raw['xen_minor']}${raw['xen_extra'] ?? ''}` : undefined);
  if (version === undefined || version === '') return undefined;
  const virtCaps = (raw['virt_caps'] ?? '').split(/\s+/).filter((c) => c !== '');
  const hvm = virtCaps.includes('hvm') && (virtCaps.includes('hap') || virtCaps.includes('shadow') || !virtCaps.some((c) => c === 'hap' || c === 'shadow'));
  const guestTypes: XenGuestType[] = [...(virtCaps.includes('pv') ? (['pv'] as const) : []), ...(hvm ? (['pvh', 'hvm'] as const) : [])];
  return {
    version,
    dom0Kernel: raw['release'] ?? 'unknown',
    scheduler: raw['xen_scheduler'] ?? 'unknown',
    virtCaps,
    guestTypes,
    freeMemoryMiB: number(raw['free_memory']),
    totalMemoryMiB: number(raw['total_memory']),
    nrCpus: number(raw['nr_cpus']),
  };
}

/** One row of `xl list`. */
export interface XlListRow {
  name: string;
  domid: number;
  /** Current allocation in MiB. */
  memMiB: number;
  vcpus: number;
  /** The six state flags `rbpscd` as printed, e.g. `-b----`, `---s--`. */
  state: string;
  /** CPU time of all the domain's vCPUs, seconds (printed with one decimal). */
  cpuS: number;
}

/**
 * Rows of `xl list` (`Name ID Mem VCPUs State Time(s)`). Names may not contain spaces in
 * xl, so a row is split on whitespace from the right.
 */
export function parseXlList(text: string): XlListRow[] {
  const rows: XlListRow[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 6 || parts[0] === 'Name') continue;
    const [cpu, state, vcpus, mem, domid] = [parts.at(-1)!, parts.at(-2)!, parts.at(-3)!, parts.at(-4)!, parts.at(-5)!];
    const row = { name: parts.slice(0, -5).join(' '), domid: Number(domid), memMiB: Number(mem), vcpus: Number(vcpus), state, cpuS: Number(cpu) };
    if (![row.domid, row.memMiB, row.vcpus, row.cpuS].every(Number.isFinite) || !/^[-rbpscd]{6}$/.test(state)) continue;
    rows.push(row);
  }
  return rows;
}

/** Xen's shutdown reason codes (SHUTDOWN_* in xen/include/public/sched.h). */
const SHUTDOWN_REASONS: Record<number, string> = { 0: 'poweroff', 1: 'reboot', 2: 'suspend', 3: 'crash', 4: 'watchdog', 5: 'soft_reset' };

export function shutdownReasonName(code: number): string {
  return SHUTDOWN_REASONS[code] ?? `reason-${code}`;
}

/** What `xl create -F` says on stderr about its domain, line by line. */
export type XlMonitorEvent =
  | { kind: 'running'; domain: string; domid: number }
  | { kind: 'shutdown'; domid: number; code: number; reason: string }
  | { kind: 'destroyed'; domid: number }
  | { kind: 'console-failed'; message: string };

/**
 * Recognises the lines xl's domain monitor logs (tools/xl/xl_vmcontrol.c): `Waiting for
 * domain NAME (domid N) to die [pid P]` once the domain runs, `Domain N has shut down,
 * reason code R 0xR` when the guest stops itself, `Domain N has been destroyed.` after an
 * `xl destroy`, and xenconsole's failure to attach.
 */
export function parseXlMonitorLine(line: string): XlMonitorEvent | undefined {
  let m = /Waiting for domain (\S+) \(domid (\d+)\) to die/.exec(line);
  if (m) return { kind: 'running', domain: m[1]!, domid: Number(m[2]) };
  m = /Domain (\d+) has shut down, reason code (\d+)/.exec(line);
  if (m) return { kind: 'shutdown', domid: Number(m[1]), code: Number(m[2]), reason: shutdownReasonName(Number(m[2])) };
  m = /Domain (\d+) has been destroyed/.exec(line);
  if (m) return { kind: 'destroyed', domid: Number(m[1]) };
  if (/^xenconsole: /.test(line.trim())) return { kind: 'console-failed', message: line.trim() };
  return undefined;
}

function number(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
