import { describe, expect, it } from 'vitest';
import { backends } from '../../src/backends/registry.ts';
import { resolveDevice as resolveIn, type DeviceResolution } from '../../src/devices/capabilities.ts';
import { caseDevices as caseDevicesIn, type CaseDevices } from '../../src/devices/case-devices.ts';
import type { DeviceKind, DeviceNeeds, DeviceRequest, DiskPath } from '../../src/devices/models.ts';

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

describe('the disk I/O path of a case', () => {
  const DEFAULT = { aio: 'threads', cache: 'none', iothread: false } as const;
  const IO_URING = { aio: 'io_uring', cache: 'none', iothread: true, queues: 2 } as const;
  const withPath = (backend: string, path: DiskPath, facts: Record<string, string> = {}) =>
    caseDevicesIn(backend, tableOf(backend), { disk: { io: 'paravirtual', sizeMiB: 64, path } }, facts);

  it('hands the path to the backend with the model, on QEMU', () => {
    expect(withPath('tcg', IO_URING, { qemuIoUring: 'yes' })).toEqual({
      devices: { disk: { model: 'virtio-blk', io: 'paravirtual', sizeMiB: 64, path: IO_URING } },
    });
    expect(withPath('kvm', IO_URING, { qemuIoUring: 'yes' })).toEqual({
      devices: { disk: { model: 'virtio-blk', io: 'paravirtual', sizeMiB: 64, path: IO_URING } },
    });
    expect(withPath('tcg', IO_URING, { qemuIoUring: 'no: Unable to use io_uring' })).toEqual({
      skip: 'this QEMU cannot use aio=io_uring here (no: Unable to use io_uring)',
    });
    expect(caseDevicesIn('tcg', tableOf('tcg'), { disk: { io: 'emulated', sizeMiB: 64, path: { ...DEFAULT, iothread: true } } })).toEqual({
      skip: 'QEMU serves only virtio-blk and virtio-scsi disks from an iothread, not ide',
    });
  });

  it('runs the default path everywhere, and skips any other on Xen and native with the reason', () => {
    for (const backend of ['tcg', 'kvm', 'xen', 'native']) expect(withPath(backend, DEFAULT), backend).toMatchObject({ devices: { disk: { path: DEFAULT } } });
    expect(withPath('xen', IO_URING)).toEqual({
      skip:
        "Xen cannot set the disk I/O path aio=io_uring, iothread=true, queues=2: blkback submits the guest's requests from dom0's kernel; xl's disk configuration has no aio choice; " +
        "blkback already serves each ring from a kernel thread of its own in dom0; xl has no iothread; the rings of a PV disk are negotiated by the drivers (dom0's xen_blkback.max_queues, the guest's xen_blkfront.max_queues), not set in xl's disk configuration",
    });
    expect(withPath('xen', { ...DEFAULT, cache: 'writeback' })).toEqual({
      skip: "Xen cannot set the disk I/O path cache=writeback: xl's disk configuration has no cache mode (blkback reads the file through a loop device in dom0)",
    });
    expect(withPath('native', { ...DEFAULT, queues: 1 })).toEqual({
      skip: "not applicable: native runs on the host, without virtual devices (queues=1 sets a VMM's disk I/O path; the native case on the default path is the reference for every path)",
    });
  });

  it('runs a backend without a path declaration on the default path only', () => {
    const table = { ...tableOf('tcg')!, diskPath: undefined };
    expect(caseDevicesIn('bare', table, { disk: { io: 'paravirtual', sizeMiB: 64, path: DEFAULT } })).toMatchObject({
      devices: { disk: { model: 'virtio-blk' } },
    });
    expect(caseDevicesIn('bare', table, { disk: { io: 'paravirtual', sizeMiB: 64, path: IO_URING } })).toEqual({
      skip: "backend bare runs disks on the default I/O path only (aio threads, cache none, no iothread, the device's own queues), not aio=io_uring, iothread=true, queues=2",
    });
  });
});
