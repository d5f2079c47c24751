import { describe, expect, it } from 'vitest';
import { resolveDevice as resolveIn } from '../../../src/devices/capabilities.ts';
import { caseDevices } from '../../../src/devices/case-devices.ts';
import type { DeviceKind, DeviceRequest } from '../../../src/devices/models.ts';
import { tcgBackend } from '../../../src/backends/qemu/tcg.ts';
import { xenDevices, xenDeviceSupport } from '../../../src/backends/xen/devices.ts';
import { xenBackend } from '../../../src/backends/xen/xen.ts';

/** Resolves against the Xen backend's own declaration, for one guest type (default: the backend's default). */
const resolveDevice = (backend: 'xen', kind: DeviceKind, request: DeviceRequest, table = xenBackend.devices()) => resolveIn(backend, table, kind, request);
/** The device table of a case: the Xen backend's, for the case's guest type. */
const deviceTableFor = (guestType: string | undefined) => xenBackend.devices(guestType);
import { checkBound, modulesFor } from '../../../src/devices/drivers.ts';

describe('Xen devices per guest type', () => {
  it('gives every type the PV disk, and only HVM the emulated IDE disk', () => {
    for (const type of ['pv', 'pvh', 'hvm'] as const) expect(xenDeviceSupport(type, 'xen-vbd')).toEqual({ ok: true });
    expect(xenDeviceSupport('hvm', 'ide')).toEqual({ ok: true });
    expect(xenDeviceSupport('pvh', 'ide')).toEqual({
      ok: false,
      reason: 'hvbench boots Xen guests as PVH, which have no device model: emulated devices need an HVM guest',
    });
    expect(xenDeviceSupport('pv', 'ide')).toEqual({
      ok: false,
      reason: 'hvbench boots Xen guests as PV, which have no device model: emulated devices need an HVM guest',
    });
  });

  it('refuses models Xen does not have, with a reason', () => {
    expect(xenDeviceSupport('hvm', 'virtio-blk')).toEqual({ ok: false, reason: "Xen guests use Xen's own PV drivers (xen-vbd, xen-vif), not virtio-blk" });
    expect(xenDeviceSupport('hvm', 'nvme')).toEqual({ ok: false, reason: expect.stringMatching(/^nvme is not offered on Xen/) });
    expect(xenDeviceSupport('pvh', 'ahci')).toEqual({ ok: false, reason: expect.stringMatching(/no device model/) });
  });

  it('gives every type netfront, HVM also the emulated NICs; an emulated NIC on PV/PVH is skipped for the device model', () => {
    expect(xenDeviceSupport('pvh', 'xen-vif')).toEqual({ ok: true });
    expect(xenDeviceSupport('pv', 'xen-vif')).toEqual({ ok: true });
    expect(xenDeviceSupport('hvm', 'e1000')).toEqual({ ok: true });
    expect(xenDeviceSupport('hvm', 'rtl8139')).toEqual({ ok: true });
    expect(xenDeviceSupport('pv', 'rtl8139')).toEqual({ ok: false, reason: expect.stringMatching(/as PV, which have no device model/) });
    expect(resolveDevice('xen', 'nic', { io: 'paravirtual' })).toEqual({ ok: true, model: 'xen-vif', io: 'paravirtual' });
    expect(resolveDevice('xen', 'nic', { io: 'emulated' }, xenDevices('hvm'))).toEqual({ ok: true, model: 'e1000', io: 'emulated' });
  });

  it('maps io classes per type and hands the runner a table for a case', () => {
    expect(resolveDevice('xen', 'disk', { io: 'emulated' }, xenDevices('hvm'))).toEqual({ ok: true, model: 'ide', io: 'emulated' });
    expect(resolveDevice('xen', 'disk', { io: 'paravirtual' }, xenDevices('pv'))).toEqual({ ok: true, model: 'xen-vbd', io: 'paravirtual' });
    expect(caseDevices('xen', deviceTableFor('hvm'), { disk: { io: 'emulated', sizeMiB: 16 } })).toEqual({
      devices: { disk: { model: 'ide', io: 'emulated', sizeMiB: 16 } },
    });
    expect(caseDevices('xen', deviceTableFor('pvh'), { disk: { io: 'emulated', sizeMiB: 16 } })).toEqual({ skip: expect.stringMatching(/as PVH/) });
    expect([deviceTableFor(undefined).defaults, deviceTableFor(undefined).models]).toEqual([xenDevices('pvh').defaults, xenDevices('pvh').models]);
    expect(tcgBackend.devices().defaults.disk.emulated).toBe('ide');
    // The table without a guest type is the default type's (PVH).
    expect(resolveDevice('xen', 'disk', { io: 'emulated' })).toEqual({ ok: false, reason: expect.stringMatching(/as PVH/) });
  });

  it('checks the drivers the guest reports for Xen devices (blkfront binds as vbd, netfront as vif)', () => {
    expect(modulesFor('xen-vbd')).toEqual(['xen_blkfront']);
    expect(modulesFor('xen-vif')).toEqual(['xen_netfront']);
    expect(checkBound('disk', 'xen-vbd', { disk_drivers: 'vbd' })).toBe('vbd');
    expect(checkBound('nic', 'xen-vif', { nic_drivers: 'vif' })).toBe('vif');
    // An HVM guest's emulated IDE disk: libata's sd on top of ata_piix.
    expect(checkBound('disk', 'ide', { disk_drivers: 'sd,ata_piix' })).toBe('ata_piix');
    // The emulated twin of a PV disk (HVM without unplug) is caught, not measured as xen-vbd.
    expect(() => checkBound('disk', 'xen-vbd', { disk_drivers: 'sd,ata_piix' })).toThrow(/driven by ata_piix/);
  });
});
