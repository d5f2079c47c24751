import type { Host } from '../hosts/host.ts';
import { readCpuTopology, type CpuTopology } from '../hosts/cpu-topology.ts';
import type { PinningInput } from '../suite/types.ts';
import { HvbError } from '../util/errors.ts';

/** The CPUs of one VM: vCPU i on `vcpus[i]`, the VMM's other threads on `vmm` (VmSpec.pinning). */
export interface CpuPinning {
  vcpus: number[];
  vmm: number[];
}

/** A host's topology as planning keeps it: read once at inspection, or why it could not be. */
export type TopologyState = CpuTopology | { failed: string };

/** What planning needs: the suite's pinning and, for each host, its topology (HostState.cpuTopology). */
interface PinningContext {
  suite?: { pinning?: PinningInput };
}

/** Reads the host's topology into its state when the suite pins (unpinned runs read nothing more). */
export async function readPinningTopology(o: PinningContext, state: { cpuTopology?: TopologyState; run: { host: Host } }): Promise<void> {
  const wanted = o.suite?.pinning;
  if (wanted === undefined || wanted === 'none') return;
  state.cpuTopology = await readCpuTopology(state.run.host).catch((e: unknown) => ({ failed: e instanceof Error ? e.message : String(e) }));
}

/**
 * Why a case cannot be pinned as the suite asks on its host (the case is then skipped with
 * it), or undefined when it can or the suite does not pin.
 */
export function pinningProblem(
  o: PinningContext,
  vcpus: number,
  state: { cpuTopology?: TopologyState; run: { config: { name: string } } },
): string | undefined {
  const planned = planPinning(o.suite?.pinning, vcpus, state.cpuTopology, state.run.config.name);
  return planned !== undefined && 'refuse' in planned ? planned.refuse : undefined;
}

/** The pinning of a case's VMs on its host (planning checked it), or undefined when unpinned. */
export function pinningOf(o: PinningContext, vcpus: number, state: { cpuTopology?: TopologyState; run: { config: { name: string } } }): CpuPinning | undefined {
  const planned = planPinning(o.suite?.pinning, vcpus, state.cpuTopology, state.run.config.name);
  if (planned !== undefined && 'refuse' in planned) throw new HvbError('pinning', planned.refuse);
  return planned;
}

/**
 * The CPUs for a guest of `vcpus` vCPUs on a host of this topology, or why not:
 * - `auto`: one CPU per physical core (its first hyper-thread), leaving out CPU 0's core
 *   (where the kernel's housekeeping and most interrupts land); the vCPUs take the first
 *   cores, the VMM the cores that remain, or CPU 0 when none do. Needs vCPUs + 1 cores.
 * - explicit: every CPU named must be online on the host; `vmm` absent: every other online CPU.
 *   A guest of n vCPUs takes the first n CPUs named (a suite with a vCPU axis names them for the largest).
 */
export function planPinning(
  wanted: PinningInput | undefined,
  vcpus: number,
  topology: TopologyState | undefined,
  hostName: string,
): CpuPinning | { refuse: string } | undefined {
  if (wanted === undefined || wanted === 'none') return undefined;
  if (topology === undefined || 'failed' in topology) {
    return { refuse: `pinning needs the CPU topology of host ${hostName}, which could not be read${topology ? `: ${topology.failed}` : ''}` };
  }
  // With a vCPU axis the suite names CPUs for the largest guest; a smaller one (and native at as many threads) takes the first of them.
  return wanted === 'auto' ? autoPinning(vcpus, topology, hostName) : explicitPinning({ ...wanted, vcpus: wanted.vcpus.slice(0, vcpus) }, topology, hostName);
}

function autoPinning(vcpus: number, topology: CpuTopology, hostName: string): CpuPinning | { refuse: string } {
  const cores = firstThreadPerCore(topology);
  const needed = vcpus + 1;
  if (cores.length < needed) {
    const cpus = topology.cpus.length;
    return {
      refuse: `pinning 'auto' needs ${needed} physical cores (one per vCPU, ${vcpus}, and one for CPU 0 and the VMM); host ${hostName} has ${cores.length} (${cpus} online CPU${cpus === 1 ? '' : 's'})`,
    };
  }
  const [housekeeping, ...free] = cores as [number, ...number[]];
  const rest = free.slice(vcpus);
  return { vcpus: free.slice(0, vcpus), vmm: rest.length > 0 ? rest : [housekeeping] };
}

/** The lowest-numbered CPU of each physical core, cores in the order of those CPUs (CPU 0's core first). */
function firstThreadPerCore(topology: CpuTopology): number[] {
  const first = new Map<string, number>();
  for (const cpu of [...topology.cpus].sort((a, b) => a.id - b.id)) {
    const key = `${cpu.pkg}:${cpu.core}`;
    if (!first.has(key)) first.set(key, cpu.id);
  }
  return [...first.values()].sort((a, b) => a - b);
}

function explicitPinning(wanted: { vcpus: number[]; vmm?: number[] }, topology: CpuTopology, hostName: string): CpuPinning | { refuse: string } {
  const online = topology.cpus.map((c) => c.id);
  const missing = [...wanted.vcpus, ...(wanted.vmm ?? [])].filter((cpu) => !online.includes(cpu));
  if (missing.length > 0) {
    return { refuse: `pinning names CPU ${[...new Set(missing)].join(', ')}, not online on host ${hostName} (online: ${online.join(',')})` };
  }
  const vmm = wanted.vmm ?? online.filter((cpu) => !wanted.vcpus.includes(cpu));
  if (vmm.length === 0) {
    return { refuse: `pinning gives every online CPU of host ${hostName} (${online.join(',')}) to the vCPUs and none to the VMM; name pinning.vmm` };
  }
  return { vcpus: [...wanted.vcpus], vmm };
}

/**
 * The `pinning` dimension of a pinned VM: `vcpus=1;vmm=0`, `vcpus=1,2;vmm=3`. Unpinned
 * VMs carry no such dimension (see docs/decisions.md).
 */
export function pinningDim(p: CpuPinning): string {
  return `vcpus=${p.vcpus.join(',')};vmm=${p.vmm.join(',')}`;
}
