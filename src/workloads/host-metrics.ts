import type { MetricDef } from './workload.ts';

/** Host-side cost of every case, read from the VMM process. */
export const HOST_METRICS: MetricDef[] = [
  { name: 'host.vmm_cpu_s', unit: 's', better: 'lower', description: "the VMM's CPU time (user + system) for the whole boot and job" },
  { name: 'host.vmm_peak_rss_mib', unit: 'MiB', better: 'lower', description: "the VMM's peak resident memory" },
];
