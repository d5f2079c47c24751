import { defineSuite } from 'hvbench';

/**
 * The disk case of test/labs/xen-hvm.slow.int.test.ts: one HVM guest on the Xen lab with its
 * scratch disk on the device model's emulated IDE (ata_piix in the guest). An HVM guest
 * under nested TCG boots in minutes, hence the long per-repetition timeout.
 */
export default defineSuite({
  name: 'xen-hvm-disk',
  description: 'fio on an emulated IDE disk of a Xen HVM guest (lab check)',
  guest: { vcpus: 1, memoryMiB: 512 },
  backends: ['xen'],
  xenTypes: ['hvm'],
  hosts: ['lab-xen'],
  repetitions: 1,
  warmup: 0,
  timeoutSec: 1200,
  workloads: [{ workload: 'disk', params: { io: 'emulated', sizeMiB: 64, runtimeSec: 3 } }],
});
