import { boot } from './boot.ts';
import { cpu } from './cpu.ts';
import type { Workload } from './workload.ts';

/** Every workload by name; the only file that imports them all. */
export const workloads: Record<string, Workload> = {
  boot: boot,
  cpu: cpu,
};
