import { defineSuite } from 'hvbench';

/**
 * The cases of test/labs/xen-hvm.slow.int.test.ts: HVM guests on the Xen lab with the device
 * model's emulated devices, a scratch disk on IDE (ata_piix in the guest) and an e1000 NIC
 * (e1000) on the case's bridge in dom0. An HVM guest under nested TCG boots in minutes,
 * hence the long per-repetition timeout.
 */
export default defineSuite({
  name: 'xen-hvm-emulated',
  description: 'fio on an emulated IDE disk and iperf3/sockperf on an emulated e1000 of Xen HVM guests (lab check)',
  guest: { vcpus: 1, memoryMiB: 512 },
  backends: ['xen'],
  xenTypes: ['hvm'],
  hosts: ['lab-xen'],
  repetitions: 1,
  warmup: 0,
  timeoutSec: 1200,
  workloads: [
    { workload: 'disk', params: { io: 'emulated', sizeMiB: 64, runtimeSec: 3 } },
    { workload: 'net', params: { io: 'emulated', timeSec: 3 } },
  ],
});
