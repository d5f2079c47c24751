import { qemuDiskPath } from './disk-path.ts';
import type { QemuMachine } from './machine.ts';

/**
 * QEMU's `pc` machine (i440fx + PIIX): PCI, SeaBIOS, IDE built in. hvbench's default board,
 * the one every QEMU case ran on before machine types were a dimension.
 */
export const pcMachine: QemuMachine = {
  name: 'pc',
  machineArg: 'pc',
  virtio: 'pci',
  devices: {
    defaults: {
      disk: { paravirtual: 'virtio-blk', emulated: 'ide' },
      nic: { paravirtual: 'virtio-net', emulated: 'e1000' },
    },
    models: {
      disk: ['virtio-blk', 'virtio-scsi', 'nvme', 'ide', 'ahci'],
      nic: ['virtio-net', 'e1000', 'rtl8139'],
    },
    why: (_kind, model) => `${model} is a Xen device; QEMU offers virtio for paravirtual I/O`,
    diskPath: qemuDiskPath,
  },
};
