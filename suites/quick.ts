import { defineSuite } from 'hvbench';

/**
 * One short case per workload family, paravirtual devices only: the suite the demo and CI
 * run, on every backend the host can run (the others are skipped with doctor's reason).
 * Sized so that native and QEMU TCG together take under 5 minutes on a 2-core machine.
 */
export default defineSuite({
  name: 'quick',
  description: 'One short case per workload family (paravirtual I/O only), for CI and the demo',
  guest: { vcpus: 1, memoryMiB: 512 },
  backends: ['native', 'kvm', 'xen', 'tcg'],
  repetitions: 3,
  warmup: 0,
  workloads: [
    { workload: 'boot' },
    { workload: 'cpu', params: { threads: 1, timeSec: 3, maxPrime: 10000 } },
    { workload: 'memory', params: { blockKiB: 1024, timeSec: 2 } },
    { workload: 'disk', params: { io: 'paravirtual', sizeMiB: 64, runtimeSec: 2 } },
    { workload: 'micro', params: { msPerOp: 100 } },
    { workload: 'net', params: { io: 'paravirtual', timeSec: 2 } },
  ],
});
