import { defineSuite } from 'hvbench';

/**
 * One short case per workload family, paravirtual devices only: the suite the demo and CI
 * run. Sized for QEMU TCG on a 2-core machine (about 5 minutes).
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
    { workload: 'cpu', params: { threads: 1, timeSec: 5, maxPrime: 10000 } },
    { workload: 'memory', params: { blockKiB: 1024, timeSec: 3 } },
    { workload: 'disk', params: { io: 'paravirtual', sizeMiB: 128, runtimeSec: 3 } },
    { workload: 'micro', params: { msPerOp: 200 } },
    { workload: 'net', params: { io: 'paravirtual', timeSec: 3 } },
  ],
});
