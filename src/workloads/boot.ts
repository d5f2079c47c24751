import { z } from 'zod';
import type { MetricDef, Workload } from './workload.ts';

/** Metrics every case yields, whatever its workload: how long the guest took to come up. */
export const BOOT_METRICS: MetricDef[] = [
  { name: 'boot.to_ready_ms', unit: 'ms', better: 'lower', description: "host clock from the VMM's start to the agent's ready line" },
  { name: 'boot.guest_uptime_at_ready_s', unit: 's', better: 'lower', description: "the guest kernel's own uptime when the agent said ready" },
];

const params = z.object({}).strict();

/** Boots the guest and powers it off: only the boot metrics. */
export const boot: Workload<typeof params> = {
  name: 'boot',
  description: 'boot to the agent and power off (boot metrics only)',
  params,
  metrics: [],
  expectedSeconds: () => 0,
  command: () => ({ steps: [] }),
  parse: () => [],
};
