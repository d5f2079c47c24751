import { defineSuite } from 'hvbench';

/**
 * Where the time goes: the micro workload's unit costs (CPUID, port I/O, page fault, …)
 * beside cpu, disk and net work, each I/O case once paravirtual and once emulated, with
 * each VM's events counted around every step (docs/overhead.md). The report sets the counts
 * against the unit costs and says how much of each backend's gap to native they explain.
 * About 8 minutes on native and QEMU TCG on a 2-core machine.
 */
export default defineSuite({
  name: 'explain',
  description: 'Unit costs and event counts beside cpu, disk and net work, paravirtual and emulated',
  guest: { vcpus: 1, memoryMiB: 512 },
  backends: ['native', 'kvm', 'xen', 'tcg'],
  countEvents: true,
  repetitions: 3,
  warmup: 0,
  workloads: [
    { workload: 'micro', params: { msPerOp: 200 } },
    { workload: 'cpu', params: { threads: 1, timeSec: 3, maxPrime: 10000 } },
    { workload: 'disk', params: { io: ['paravirtual', 'emulated'], sizeMiB: 64, runtimeSec: 2 } },
    { workload: 'net', params: { io: ['paravirtual', 'emulated'], timeSec: 2 } },
  ],
});
