import { defineSuite } from 'hvbench';

/**
 * The same disk work on every disk model QEMU offers — paravirtual (virtio-blk,
 * virtio-scsi) and emulated (NVMe, AHCI, IDE) — to compare the I/O paths themselves.
 * About 13 minutes on QEMU TCG on a 2-core machine.
 */
export default defineSuite({
  name: 'io-models',
  description: 'fio on each disk model, iperf3 and sockperf on each NIC model',
  guest: { vcpus: 1, memoryMiB: 512 },
  backends: ['native', 'kvm', 'xen', 'tcg'],
  repetitions: 3,
  warmup: 0,
  workloads: [
    { workload: 'disk', params: { device: ['virtio-blk', 'virtio-scsi', 'nvme', 'ahci', 'ide'], sizeMiB: 256, runtimeSec: 5, queueDepth: 16 } },
    { workload: 'net', params: { device: ['virtio-net', 'e1000', 'rtl8139'], timeSec: 5 } },
  ],
});
