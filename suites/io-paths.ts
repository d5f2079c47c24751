import { defineSuite } from 'hvbench';

/**
 * The disk I/O path on every backend: does io_uring beat a pool of threads, what does an
 * iothread buy, how does virtio-blk scale from one queue to two? Each knob is changed alone
 * from the default path (aio threads, cache none, no iothread); every case writes the knobs
 * it keeps at their default too, so `compare --by param.aio` (or iothread, queues) pairs them.
 * Two vCPUs: the guest's virtio_blk uses at most one queue per CPU. Xen and native run the
 * default path only (the others are skipped with the reason); native's is the reference for
 * every path. The network: virtio-net with one queue pair against two (iperf3 with as many
 * streams; the guest's virtio_net uses one pair per vCPU). Native has no NIC (both net cases
 * are skipped there); Xen's netfront negotiates its own queues (its two-pair case is skipped
 * with the reason). Files: fio on a file shared by virtiofs, by 9p, and on ext4 on a virtio-blk
 * disk (the reference); native works in the host folder once (its 9p and block cases are
 * skipped), Xen runs block only. 25 minutes for native and QEMU TCG on a 2-core machine (18
 * disk boots, about 45 s each under TCG, most of it fio's four jobs; 6 net boots, about 50 s
 * each; 9 fs boots, 40–60 s each, and 3 native fs runs of 12 s: the fs part took 7 min).
 */
export default defineSuite({
  name: 'io-paths',
  description:
    'fio on virtio-blk with aio threads vs io_uring, iothread off/on, 1 vs 2 queues; virtio-net with 1 vs 2 queue pairs; fio on a file over virtiofs, 9p and ext4 on virtio-blk',
  guest: { vcpus: 2, memoryMiB: 512 },
  backends: ['native', 'kvm', 'xen', 'tcg'],
  repetitions: 3,
  warmup: 0,
  workloads: [
    { workload: 'disk', params: { aio: ['threads', 'io_uring'], iothread: false, sizeMiB: 64, runtimeSec: 2 } },
    { workload: 'disk', params: { aio: 'threads', iothread: true, sizeMiB: 64, runtimeSec: 2 } },
    { workload: 'disk', params: { aio: 'threads', iothread: false, queues: [1, 2], sizeMiB: 64, runtimeSec: 2 } },
    { workload: 'net', params: { io: 'paravirtual', queues: [1, 2], timeSec: 3 } },
    { workload: 'fs', params: { share: ['virtiofs', '9p', 'block'], sizeMiB: 64, runtimeSec: 2 } },
  ],
});
