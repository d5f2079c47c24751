import { defineSuite } from 'hvbench';

/**
 * Every workload, the I/O ones on paravirtual and on emulated devices (each backend's
 * default of the class: virtio-blk / IDE on QEMU). Sized for QEMU TCG on a 2-core machine:
 * about 26 minutes for the three repetitions, 76 % of it in the workloads themselves
 * (measurement times are long enough that the ~10 s TCG boot per repetition stays near a
 * fifth; `npm run bench:share -- <run>` shows the split).
 */
export default defineSuite({
  name: 'standard',
  description: 'Every workload; disk (and net) on paravirtual and emulated devices',
  guest: { vcpus: 1, memoryMiB: 512 },
  backends: ['native', 'kvm', 'xen', 'tcg'],
  repetitions: 3,
  warmup: 0,
  workloads: [
    { workload: 'boot' },
    { workload: 'cpu', params: { threads: 1, timeSec: 32 } },
    { workload: 'memory', params: { blockKiB: [4, 1024], timeSec: 15 } },
    { workload: 'stream', params: { timeSec: 32 } },
    { workload: 'disk', params: { io: ['paravirtual', 'emulated'], sizeMiB: 256, runtimeSec: 15, queueDepth: 16 } },
    { workload: 'micro', params: { msPerOp: 1500 } },
    { workload: 'cyclictest', params: { timeSec: 32 } },
    { workload: 'hackbench', params: { groups: 2, fds: 5, loops: 640 } },
    { workload: 'net', params: { io: ['paravirtual', 'emulated'], timeSec: 15 } },
  ],
});
