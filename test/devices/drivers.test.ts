import { describe, expect, it } from 'vitest';
import { boundDriver, checkBound, MODEL_DRIVERS, modulesFor } from '../../src/devices/drivers.ts';
import { GUEST_MODULES } from '../../src/guest/recipe.ts';

// Driver chains as hvb-dev reported them in real guests under QEMU 7.2 (Debian 12 kernel).
const SEEN = {
  'virtio-blk': 'virtio_blk,virtio-pci',
  'virtio-scsi': 'sd,virtio_scsi,virtio-pci',
  nvme: 'nvme',
  ide: 'sd,ata_piix',
  ahci: 'sd,ahci',
};

describe('the driver that bound a device', () => {
  it('is the nearest driver that is not a generic upper layer', () => {
    expect(boundDriver(SEEN['virtio-blk'])).toBe('virtio_blk');
    expect(boundDriver(SEEN['virtio-scsi'])).toBe('virtio_scsi');
    expect(boundDriver(SEEN.ide)).toBe('ata_piix');
    expect(boundDriver('sd')).toBeUndefined();
    expect(boundDriver('')).toBeUndefined();
  });

  it('matches the model of each chain seen in real guests', () => {
    for (const [model, chain] of Object.entries(SEEN)) expect(checkBound('disk', model, { disk_drivers: chain })).toBe(boundDriver(chain));
  });

  it('fails when another driver bound, or none', () => {
    expect(() => checkBound('disk', 'ahci', { disk_drivers: SEEN.ide })).toThrow(
      "the guest's disk is driven by ata_piix (drivers sd,ata_piix), but the case asked for model ahci, driven by ahci",
    );
    expect(() => checkBound('nic', 'e1000', {})).toThrow('the guest reported no driver for its nic (asked for model e1000)');
    expect(() => checkBound('disk', 'ide', { disk_drivers: 'sd' })).toThrow(/no driver for its disk/);
  });

  it('loads only modules the image ships, transport first', () => {
    const shipped = new Set(GUEST_MODULES);
    for (const model of Object.keys(MODEL_DRIVERS)) for (const m of modulesFor(model)) expect(shipped.has(m), `${model}: ${m}`).toBe(true);
    expect(modulesFor('virtio-scsi')).toEqual(['virtio_pci', 'virtio_scsi', 'sd_mod']);
    expect(() => modulesFor('floppy')).toThrow(/no guest driver is known for device model "floppy"/);
  });
});
