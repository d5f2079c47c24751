import { describe, expect, it } from 'vitest';
import { backends } from '../../src/backends/registry.ts';
import { resolveDevice as resolveIn, type DeviceResolution } from '../../src/devices/capabilities.ts';
import { caseDevices as caseDevicesIn, type CaseDevices } from '../../src/devices/case-devices.ts';
import type { DeviceKind, DeviceNeeds, DeviceRequest } from '../../src/devices/models.ts';

/** Each backend declares its devices (Backend.devices); these resolve against that declaration by name. */
const tableOf = (backend: string) => (Object.hasOwn(backends, backend) ? backends[backend]!.devices() : undefined);
const resolveDevice = (backend: string, kind: DeviceKind, request: DeviceRequest): DeviceResolution => resolveIn(backend, tableOf(backend), kind, request);
const caseDevices = (backend: string, needs: DeviceNeeds): { devices: CaseDevices } | { skip: string } => caseDevicesIn(backend, tableOf(backend), needs);
import { DISK_MODELS, ioModeOf, NIC_MODELS } from '../../src/devices/models.ts';

describe('device capabilities per backend', () => {
  it('maps the classes to virtio and IDE / e1000 on the QEMU backends', () => {
    for (const backend of ['tcg', 'kvm']) {
      expect(resolveDevice(backend, 'disk', { io: 'paravirtual' })).toEqual({ ok: true, model: 'virtio-blk', io: 'paravirtual' });
      expect(resolveDevice(backend, 'disk', { io: 'emulated' })).toEqual({ ok: true, model: 'ide', io: 'emulated' });
      expect(resolveDevice(backend, 'nic', { io: 'paravirtual' })).toEqual({ ok: true, model: 'virtio-net', io: 'paravirtual' });
      expect(resolveDevice(backend, 'nic', { io: 'emulated' })).toEqual({ ok: true, model: 'e1000', io: 'emulated' });
    }
  });

  it('attaches every QEMU model by name, classified by the model', () => {
    for (const model of ['virtio-blk', 'virtio-scsi', 'nvme', 'ide', 'ahci']) {
      expect(resolveDevice('tcg', 'disk', { io: ioModeOf(model), device: model })).toEqual({ ok: true, model, io: ioModeOf(model) });
    }
    expect(resolveDevice('kvm', 'nic', { io: 'emulated', device: 'rtl8139' })).toEqual({ ok: true, model: 'rtl8139', io: 'emulated' });
    expect(ioModeOf('nvme')).toBe('emulated');
    expect(ioModeOf('virtio-scsi')).toBe('paravirtual');
  });

  it('gives Xen its PV drivers and a reason for everything else', () => {
    expect(resolveDevice('xen', 'disk', { io: 'paravirtual' })).toEqual({ ok: true, model: 'xen-vbd', io: 'paravirtual' });
    expect(resolveDevice('xen', 'nic', { io: 'paravirtual' })).toEqual({ ok: true, model: 'xen-vif', io: 'paravirtual' });
    expect(resolveDevice('xen', 'disk', { io: 'emulated' })).toEqual({ ok: false, reason: expect.stringMatching(/PVH, which have no device model/) });
    expect(resolveDevice('xen', 'nic', { io: 'emulated', device: 'e1000' })).toEqual({ ok: false, reason: expect.stringMatching(/need an HVM guest/) });
    expect(resolveDevice('xen', 'disk', { io: 'paravirtual', device: 'virtio-blk' })).toEqual({
      ok: false,
      reason: "Xen guests use Xen's own PV drivers (xen-vbd, xen-vif), not virtio-blk",
    });
    expect(resolveDevice('tcg', 'disk', { io: 'paravirtual', device: 'xen-vbd' })).toEqual({
      ok: false,
      reason: expect.stringMatching(/xen-vbd is a Xen device/),
    });
  });

  it('runs native disk cases on a host file for paravirtual only, and no NIC case', () => {
    expect(resolveDevice('native', 'disk', { io: 'paravirtual' })).toEqual({ ok: true, model: 'host-file', io: 'none' });
    for (const r of [
      resolveDevice('native', 'disk', { io: 'emulated' }),
      resolveDevice('native', 'disk', { io: 'paravirtual', device: 'virtio-blk' }),
      resolveDevice('native', 'nic', { io: 'paravirtual' }),
    ]) {
      expect(r).toEqual({ ok: false, reason: expect.stringMatching(/^not applicable: native/) });
    }
  });

  it('knows every model of the vocabulary on some backend, and refuses an unknown backend', () => {
    const offered = new Set(
      Object.values(backends)
        .flatMap((b) => [...(b.variants?.values ?? [undefined])].map((v) => b.devices(v)))
        .flatMap((d) => [...d.models.disk, ...d.models.nic]),
    );
    for (const model of [...DISK_MODELS, ...NIC_MODELS]) expect(offered.has(model), model).toBe(true);
    expect(resolveDevice('bochs', 'disk', { io: 'paravirtual' })).toEqual({ ok: false, reason: "backend bochs has no disk models in hvbench's device table" });
  });
});

describe('the devices of a case', () => {
  it('resolves disk and NIC together, or skips with the first reason', () => {
    expect(caseDevices('tcg', {})).toEqual({ devices: {} });
    expect(caseDevices('tcg', { disk: { io: 'emulated', sizeMiB: 64 }, nic: { io: 'paravirtual' } })).toEqual({
      devices: { disk: { model: 'ide', io: 'emulated', sizeMiB: 64 }, nic: { model: 'virtio-net', io: 'paravirtual' } },
    });
    expect(caseDevices('xen', { disk: { io: 'paravirtual', sizeMiB: 64 }, nic: { io: 'emulated' } })).toEqual({ skip: expect.stringMatching(/HVM guest/) });
  });
});
