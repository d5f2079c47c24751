import { qemuDiskPath } from './disk-path.ts';
import type { QemuMachine } from './machine.ts';

/**
 * QEMU's `q35` machine (ICH9 + PCI Express), SeaBIOS. Its south bridge has AHCI built in and
 * no IDE controller: an `ide` disk there would be an AHCI disk, so q35 does not offer it.
 */
export const q35Machine: QemuMachine = {
  name: 'q35',
  machineArg: 'q35',
  virtio: 'pci',
  devices: {
    defaults: {
      disk: { paravirtual: 'virtio-blk', emulated: 'ahci' },
      nic: { paravirtual: 'virtio-net', emulated: 'e1000' },
    },
    models: {
      disk: ['virtio-blk', 'virtio-scsi', 'nvme', 'ahci'],
      nic: ['virtio-net', 'e1000', 'rtl8139'],
    },
    why: (_kind, model) =>
      model === 'ide'
        ? 'q35 has no IDE controller (its ICH9 south bridge brings AHCI instead); ask for ahci'
        : `${model} is a Xen device; QEMU offers virtio for paravirtual I/O`,
    diskPath: qemuDiskPath,
  },
};
