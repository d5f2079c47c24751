import { defineSuite } from 'hvbench';

/**
 * How each backend scales with the guest: a cpu and a memory workload at 1 and 2 vCPUs,
 * with as many threads as the guest has vCPUs (`threads: 'vcpus'`); native runs the same
 * thread counts. The report draws each metric and its ratio to native against vCPUs.
 *
 * Sized for a 2-core machine: 2 vCPUs on 2 host CPUs is the largest guest that is not
 * overcommitted (a larger one is refused before the run unless `overcommit: true`). On a
 * real host, widen the axes, e.g. `vcpus: [1, 2, 4, 8]` and `memoryMiB: [512, 2048]`, and
 * pin with `pinning: 'auto'` on a host with at least 9 physical cores (one per vCPU of the
 * largest guest, and one for CPU 0 and the VMM).
 */
export default defineSuite({
  name: 'scaling',
  description: 'cpu and memory throughput against the guest size (1 and 2 vCPUs, threads following the vCPUs)',
  guest: { vcpus: [1, 2], memoryMiB: 512 },
  backends: ['native', 'kvm', 'xen', 'tcg'],
  repetitions: 3,
  warmup: 0,
  workloads: [
    { workload: 'cpu', params: { threads: 'vcpus', timeSec: 5, maxPrime: 10000 } },
    { workload: 'memory', params: { threads: 'vcpus', blockKiB: 1024, timeSec: 2 } },
  ],
});
