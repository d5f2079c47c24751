import { defineSuite } from 'hvbench';

/**
 * How many fit: sysbench cpu in 1 and then 2 identical guests booted at once on one host,
 * released together by a start barrier (`guests: [1, 2]`). Each guest's events per second
 * is a sample with its `guest_index`; each repetition adds the aggregates: the sum over the
 * guests (`cpu.events_per_s.sum`), the smallest over the largest (`.min_max_ratio`) and
 * Jain's fairness index (`.jain`). Native runs as many processes at once. A third case
 * puts a noisy neighbour beside one measured guest (guest 0 runs stress-ng's CPU load): the
 * report sets it against the two quiet guests as the interference penalty.
 *
 * Sized for a 2-core machine: 2 guests of 1 vCPU fill its 2 CPUs (under 4 min on native
 * and TCG). On a real host widen the axis, e.g. `guests: [1, 2, 4, 8, 16]`, with as many
 * CPUs as the largest count times the vCPUs (or set `overcommit: true` to study
 * oversubscription); the guests' memory together, with 64 MiB per VMM, must fit the
 * host's MemAvailable unless `overcommit: true`.
 */
export default defineSuite({
  name: 'density',
  description: 'sysbench cpu in 1 and 2 guests at once: aggregate throughput and fairness',
  guest: { vcpus: 1, memoryMiB: 512 },
  backends: ['native', 'kvm', 'xen', 'tcg'],
  repetitions: 3,
  warmup: 0,
  workloads: [
    { workload: 'cpu', params: { threads: 'vcpus', timeSec: 5, maxPrime: 10000 }, guests: [1, 2] },
    // Guest 0 runs a stress-ng CPU load, guest 1 is measured: set against guests=2 above.
    { workload: 'cpu', params: { threads: 'vcpus', timeSec: 5, maxPrime: 10000 }, guests: 2, neighbour: 'stress' },
  ],
});
