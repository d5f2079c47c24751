import type { DeviceKind, DeviceRequest, IoMode } from './models.ts';
import { ioModeOf } from './models.ts';

/** What a backend offers for one requested device: the model it attaches, or why it cannot. */
export type DeviceResolution =
  | { ok: true; model: string; io: IoMode | 'none' }
  | { ok: false; reason: string };

/** One backend's devices: what it attaches for each class, and which named models it has. */
export interface BackendDevices {
  /** Model attached for `io: 'paravirtual'` / `'emulated'`, or why the class is not offered. */
  defaults: Record<DeviceKind, Record<IoMode, string | { unavailable: string }>>;
  /** Named models it can attach. */
  models: Record<DeviceKind, readonly string[]>;
  /** Why a named model outside `models` is not offered (default: a generic sentence). */
  why?: (kind: DeviceKind, model: string) => string;
}

const QEMU: BackendDevices = {
  defaults: {
    disk: { paravirtual: 'virtio-blk', emulated: 'ide' },
    nic: { paravirtual: 'virtio-net', emulated: 'e1000' },
  },
  models: {
    disk: ['virtio-blk', 'virtio-scsi', 'nvme', 'ide', 'ahci'],
    nic: ['virtio-net', 'e1000', 'rtl8139'],
  },
  why: (_kind, model) => `${model} is a Xen device; QEMU offers virtio for paravirtual I/O`,
};

const NO_DEVICE_MODEL = 'hvbench boots Xen guests as PVH, which have no device model: emulated devices need an HVM guest';

const XEN: BackendDevices = {
  defaults: {
    disk: { paravirtual: 'xen-vbd', emulated: { unavailable: NO_DEVICE_MODEL } },
    nic: { paravirtual: 'xen-vif', emulated: { unavailable: NO_DEVICE_MODEL } },
  },
  models: { disk: ['xen-vbd'], nic: ['xen-vif'] },
  why: (_kind, model) => (ioModeOf(model) === 'emulated' ? NO_DEVICE_MODEL : `Xen guests use Xen's own PV drivers (xen-vbd, xen-vif), not ${model}`),
};

const NOT_APPLICABLE = 'not applicable: native runs on the host, without virtual devices';

/**
 * The native baseline has no virtual devices. Its disk cases run on a scratch file on the
 * host (`host-file`), as the row that `io: 'paravirtual'` cases compare against; a case that
 * asks for emulated I/O or names a device has no native counterpart, and NIC cases neither.
 */
const NATIVE: BackendDevices = {
  defaults: {
    disk: { paravirtual: 'host-file', emulated: { unavailable: NOT_APPLICABLE } },
    nic: { paravirtual: { unavailable: NOT_APPLICABLE }, emulated: { unavailable: NOT_APPLICABLE } },
  },
  models: { disk: [], nic: [] },
  why: () => NOT_APPLICABLE,
};

/** Devices by backend name. A backend missing here runs no case that needs a device. */
export const BACKEND_DEVICES: Record<string, BackendDevices> = { tcg: QEMU, kvm: QEMU, xen: XEN, native: NATIVE };

/**
 * The model a backend attaches for a request, or why it cannot (the case is then skipped
 * with that reason; a backend never substitutes another device).
 */
export function resolveDevice(backend: string, kind: DeviceKind, request: DeviceRequest, table: Record<string, BackendDevices> = BACKEND_DEVICES): DeviceResolution {
  const devices = Object.hasOwn(table, backend) ? table[backend] : undefined;
  if (!devices) return { ok: false, reason: `backend ${backend} has no ${kind} models in hvbench's device table` };
  if (request.device === undefined) {
    const choice = devices.defaults[kind][request.io];
    if (typeof choice !== 'string') return { ok: false, reason: choice.unavailable };
    return { ok: true, model: choice, io: choice === 'host-file' ? 'none' : request.io };
  }
  if (!devices.models[kind].includes(request.device)) {
    return { ok: false, reason: devices.why?.(kind, request.device) ?? `backend ${backend} cannot attach a ${request.device} ${kind}` };
  }
  return { ok: true, model: request.device, io: ioModeOf(request.device) };
}
