import { parseCpuList } from '../../hosts/cpu-topology.ts';
import type { Host } from '../../hosts/host.ts';

const NODE_DIR = '/sys/devices/system/node';

/**
 * The host NUMA nodes a pinned guest's memory goes to: those holding the CPUs its vCPUs are
 * pinned to, read through the Host. Undefined when there is nothing to place (a host with one
 * node, or no NUMA information in sysfs): libvirt then leaves memory where the kernel puts it.
 */
export async function pinnedMemoryNodes(host: Host, vcpuHostCpus: readonly number[]): Promise<number[] | undefined> {
  let nodes: number[];
  try {
    nodes = parseCpuList(await host.readFile(`${NODE_DIR}/online`), `${NODE_DIR}/online on ${host.name}`);
  } catch {
    return undefined;
  }
  if (nodes.length < 2) return undefined;
  const cpusOf = await Promise.all(
    nodes.map(async (n) => ({ n, cpus: parseCpuList(await host.readFile(`${NODE_DIR}/node${n}/cpulist`), `node ${n} cpulist`) })),
  );
  return nodesOfCpus(cpusOf, vcpuHostCpus);
}

/** The nodes (ascending) whose CPU lists hold any of `cpus`; undefined when none does. */
export function nodesOfCpus(nodes: readonly { n: number; cpus: readonly number[] }[], cpus: readonly number[]): number[] | undefined {
  const found = nodes.filter((node) => cpus.some((c) => node.cpus.includes(c))).map((node) => node.n);
  return found.length > 0 ? found.sort((a, b) => a - b) : undefined;
}
