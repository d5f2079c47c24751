import type { QemuMachine } from './machine.ts';
import { pcMachine } from './machine-pc.ts';

const pc = pcMachine.devices;

/**
 * QEMU's `q35` machine (ICH9 + PCI Express), SeaBIOS. Its south bridge has AHCI built in and
 * no IDE controller: an `ide` disk there would be an AHCI disk, so q35 does not offer it.
 * Everything else attaches as on `pc`.
 */
export const q35Machine: QemuMachine = {
  name: 'q35',
  machineArg: 'q35',
  virtio: 'pci',
  devices: {
    ...pc,
    defaults: { ...pc.defaults, disk: { ...pc.defaults.disk, emulated: 'ahci' } },
    models: { ...pc.models, disk: pc.models.disk.filter((m) => m !== 'ide') },
    why: (kind, model) => (model === 'ide' ? 'q35 has no IDE controller (its ICH9 south bridge brings AHCI instead); ask for ahci' : pc.why!(kind, model)),
  },
};
