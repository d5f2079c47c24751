import { HvbError } from '../util/errors.ts';
import type { DeviceKind } from './models.ts';

/**
 * For each model: the guest kernel modules to load (names of the image's /lib/hvb/modules
 * lists, in order; the transport first) and the drivers that may bind it. The guest reports
 * the chain of drivers from the device up to its bus (hvb-dev); the bound driver is the
 * nearest one that is not a generic upper layer.
 */
export const MODEL_DRIVERS: Record<string, { modules: readonly string[]; drivers: readonly string[] }> = {
  // Both virtio transports: PCI (QEMU's pc and q35) and virtio-mmio (microvm, no PCI). The
  // one without a device of its own only registers its driver.
  'virtio-blk': { modules: ['virtio_pci', 'virtio_mmio', 'virtio_blk'], drivers: ['virtio_blk'] },
  'virtio-scsi': { modules: ['virtio_pci', 'virtio_scsi', 'sd_mod'], drivers: ['virtio_scsi'] },
  'xen-vbd': { modules: ['xen_blkfront'], drivers: ['vbd'] },
  nvme: { modules: ['nvme'], drivers: ['nvme'] },
  ide: { modules: ['ata_piix', 'sd_mod'], drivers: ['ata_piix'] },
  ahci: { modules: ['ahci', 'sd_mod'], drivers: ['ahci'] },
  'virtio-net': { modules: ['virtio_pci', 'virtio_mmio', 'virtio_net'], drivers: ['virtio_net'] },
  'xen-vif': { modules: ['xen_netfront'], drivers: ['vif'] },
  e1000: { modules: ['e1000'], drivers: ['e1000'] },
  // QEMU's rtl8139 is a C+ chip: 8139cp drives it, 8139too steps aside for C+ chips.
  rtl8139: { modules: ['8139cp', '8139too'], drivers: ['8139cp', '8139too'] },
  // Shared folders (no block device to probe: the guest mounts them by tag). fuse and netfs
  // come in as dependencies; the `block` share's ext4 is the workload's own module.
  virtiofs: { modules: ['virtio_pci', 'virtio_mmio', 'virtiofs'], drivers: ['virtiofs'] },
  '9p': { modules: ['virtio_pci', 'virtio_mmio', '9pnet_virtio', '9p'], drivers: ['9pnet_virtio'] },
};

/** Upper layers that sit on every SCSI-attached disk (IDE and AHCI through libata, virtio-scsi). */
const GENERIC_DRIVERS = new Set(['sd']);

/** Guest modules for a model; an unknown model is a bug in the device table. */
export function modulesFor(model: string): string[] {
  const entry = MODEL_DRIVERS[model];
  if (!entry) throw new HvbError('unsupported-device', `no guest driver is known for device model "${model}"`);
  return [...entry.modules];
}

/** The driver that bound the device, from the comma-separated chain the guest reported. */
export function boundDriver(chain: string): string | undefined {
  return chain
    .split(',')
    .filter((d) => d !== '')
    .find((d) => !GENERIC_DRIVERS.has(d));
}

/**
 * Checks the guest's facts against the model the case asked for. Returns the bound driver,
 * or throws when none bound or another driver did (the case then measured something else).
 */
export function checkBound(kind: DeviceKind, model: string, facts: Record<string, string>): string {
  const chain = facts[`${kind}_drivers`];
  const driver = chain === undefined ? undefined : boundDriver(chain);
  const expected = MODEL_DRIVERS[model]?.drivers ?? [];
  if (driver === undefined) {
    throw new HvbError('device-mismatch', `the guest reported no driver for its ${kind} (asked for model ${model})`, {
      hint: 'the guest log shows the kernel messages of the probe',
    });
  }
  if (!expected.includes(driver)) {
    throw new HvbError(
      'device-mismatch',
      `the guest's ${kind} is driven by ${driver} (drivers ${chain}), but the case asked for model ${model}, driven by ${expected.join(' or ')}`,
      {
        hint: 'the backend attached another device than asked; this case would measure the wrong device',
      },
    );
  }
  return driver;
}
