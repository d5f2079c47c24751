import { HvbError } from '../util/errors.ts';
import type { Host } from './host.ts';

/** One online CPU of a host and the physical core it belongs to. */
export interface TopologyCpu {
  /** The kernel's CPU number (what sched_setaffinity and taskset take). */
  id: number;
  /** `physical_package_id`: the socket. */
  pkg: number;
  /** `core_id`: the core within its socket; the hyper-threads of one core share it. */
  core: number;
}

/** The online CPUs of a host, by CPU number. */
export interface CpuTopology {
  cpus: TopologyCpu[];
}

const CPU_DIR = '/sys/devices/system/cpu';

/**
 * Reads a host's CPU topology through the Host (so it works over SSH as well as here): the
 * online CPUs, then each one's core and socket from sysfs. Throws an HvbError
 * `cpu-topology` naming the file that could not be read or understood.
 */
export async function readCpuTopology(host: Host): Promise<CpuTopology> {
  const online = parseCpuList(await readSysfs(host, `${CPU_DIR}/online`), `${CPU_DIR}/online on ${host.name}`);
  const files: Record<string, string> = {};
  await Promise.all(
    online.flatMap((id) =>
      ['core_id', 'physical_package_id'].map(async (name) => {
        const path = `${CPU_DIR}/cpu${id}/topology/${name}`;
        files[path] = await readSysfs(host, path);
      }),
    ),
  );
  return topologyFrom(online, (path) => files[path], host.name);
}

async function readSysfs(host: Host, path: string): Promise<string> {
  try {
    return await host.readFile(path);
  } catch (e) {
    throw new HvbError('cpu-topology', `cannot read ${path} on ${host.name}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * The topology of the `online` CPUs from their sysfs files (`file(path)` gives a file's
 * text): pure, so captured topologies can be checked without the machine they came from.
 */
export function topologyFrom(online: readonly number[], file: (path: string) => string | undefined, where: string): CpuTopology {
  const number = (id: number, name: string): number => {
    const path = `${CPU_DIR}/cpu${id}/topology/${name}`;
    const text = file(path);
    const value = Number(text?.trim());
    if (text === undefined || text.trim() === '' || !Number.isInteger(value) || value < 0) {
      throw new HvbError('cpu-topology', `expected a number in ${path} on ${where}, got ${JSON.stringify(text)}`);
    }
    return value;
  };
  return { cpus: online.map((id) => ({ id, pkg: number(id, 'physical_package_id'), core: number(id, 'core_id') })) };
}

/** Parses the kernel's CPU list format (`0-3,8,10-11`) into sorted CPU numbers. */
export function parseCpuList(text: string, what: string): number[] {
  const out = new Set<number>();
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new HvbError('cpu-topology', `expected a CPU list such as 0-3,8 in ${what}, got ${JSON.stringify(text.trim())}`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new HvbError('cpu-topology', `expected an ascending range in ${what}, got ${part}`);
    for (let id = from; id <= to; id++) out.add(id);
  }
  return [...out].sort((a, b) => a - b);
}
