import type { MetricDef } from './workload.ts';

/** Host-side cost of every case, read from the VMM process. */
export const HOST_METRICS: MetricDef[] = [
  { name: 'host.vmm_cpu_s', unit: 's', better: 'lower', description: "the VMM's CPU time (user + system) for the whole boot and job" },
  { name: 'host.vmm_peak_rss_mib', unit: 'MiB', better: 'lower', description: "the VMM's peak resident memory" },
  { name: 'host.vmm_job_cpu_s', unit: 's', better: 'lower', description: "the VMM's CPU time from the agent's ready to the guest's power-off: the job without the boot" },
];

/** Efficiency of I/O workloads: the VMM's CPU time for the job per GiB the guest moved. */
export const HOST_CPU_PER_GIB: MetricDef = {
  name: 'host.cpu_s_per_gib',
  unit: 's/GiB',
  better: 'lower',
  description: "the VMM's CPU seconds for the job (host.vmm_job_cpu_s) per GiB the guest read and wrote",
};
