import type { JobCost, MetricDef, MetricValue } from './workload.ts';

/** Host-side cost of every case, read from the VMM process. */
export const HOST_METRICS: MetricDef[] = [
  { name: 'host.vmm_cpu_s', unit: 's', better: 'lower', description: "the VMM's CPU time (user + system) for the whole boot and job" },
  { name: 'host.vmm_peak_rss_mib', unit: 'MiB', better: 'lower', description: "the VMM's peak resident memory" },
  {
    name: 'host.vmm_job_cpu_s',
    unit: 's',
    better: 'lower',
    description: "the VMM's CPU time from the agent's ready to the guest's power-off: the job without the boot",
  },
];

/** Efficiency of I/O workloads: the VMM's CPU time for the job per GiB the guest moved. */
export const HOST_CPU_PER_GIB: MetricDef = {
  name: 'host.cpu_s_per_gib',
  unit: 's/GiB',
  better: 'lower',
  description: "the VMM's CPU seconds for the job (host.vmm_job_cpu_s) per GiB the guest read and wrote",
};

/** HOST_CPU_PER_GIB of a job that moved `bytes`; none when it moved nothing (no figure rather than infinity). */
export function cpuPerGib(bytes: number, cost: JobCost): MetricValue[] {
  const gib = bytes / 1024 ** 3;
  return gib > 0 ? [{ metric: HOST_CPU_PER_GIB.name, value: cost.vmmCpuS / gib }] : [];
}
