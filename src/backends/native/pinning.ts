import type { VmSpec } from '../common/backend.ts';

/**
 * A native run's argv pinned like a VM's vCPUs: `taskset --cpu-list <vCPU CPUs>` in front,
 * so the whole tree (busybox time, unshare, the agent and every process it starts)
 * inherits that affinity; a native run has no VMM threads, so `vmm` is not used. Unpinned:
 * the argv unchanged.
 */
export function pinnedNativeArgv(argv: readonly string[], pinning: VmSpec['pinning']): string[] {
  if (pinning === undefined) return [...argv];
  return ['taskset', '--cpu-list', pinning.vcpus.join(','), ...argv];
}
