import type { DeviceKind, DeviceRequest, IoMode, XenGuestType } from './models.ts';
import { DEFAULT_XEN_GUEST_TYPE, ioModeOf, NIC_MODELS } from './models.ts';

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
  /**
   * Kinds of device the backend knows but cannot attach yet, with the reason. Checked after
   * the model is resolved, so a request that could never work keeps its own reason.
   */
  unavailable?: Partial<Record<DeviceKind, string>>;
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

/** Why a PV or PVH guest has no emulated device. */
function noDeviceModel(type: XenGuestType): string {
  return `hvbench boots Xen guests as ${type.toUpperCase()}, which have no device model: emulated devices need an HVM guest`;
}

/**
 * Xen's devices for one guest type. Every type has the PV drivers (blkfront as `xen-vbd`,
 * netfront as `xen-vif`); only HVM has a device model, which emulates IDE disks and e1000 /
 * rtl8139 NICs. A NIC joins a bridge of the case's own in dom0 (network/dom0-network.ts).
 */
export function xenDevices(type: XenGuestType): BackendDevices {
  const hvm = type === 'hvm';
  return {
    defaults: {
      disk: { paravirtual: 'xen-vbd', emulated: hvm ? 'ide' : { unavailable: noDeviceModel(type) } },
      nic: { paravirtual: 'xen-vif', emulated: hvm ? 'e1000' : { unavailable: noDeviceModel(type) } },
    },
    models: { disk: hvm ? ['xen-vbd', 'ide'] : ['xen-vbd'], nic: hvm ? ['xen-vif', 'e1000', 'rtl8139'] : ['xen-vif'] },
    why: (_kind, model) => {
      if (model.startsWith('virtio-')) return `Xen guests use Xen's own PV drivers (xen-vbd, xen-vif), not ${model}`;
      if (!hvm && ioModeOf(model) === 'emulated') return noDeviceModel(type);
      return `${model} is not offered on Xen: HVM guests get ide, e1000 or rtl8139 from the device model, every type the PV drivers`;
    },
  };
}

const XEN: BackendDevices = xenDevices(DEFAULT_XEN_GUEST_TYPE);

/**
 * Whether a Xen guest of `type` can have the device `model` (a disk or NIC model name):
 * `{ ok: true }`, or why not (the case is then skipped with that reason).
 */
export function xenDeviceSupport(type: XenGuestType, model: string): { ok: true } | { ok: false; reason: string } {
  const kind: DeviceKind = (NIC_MODELS as readonly string[]).includes(model) ? 'nic' : 'disk';
  const r = resolveDevice('xen', kind, { io: ioModeOf(model), device: model }, { xen: xenDevices(type) });
  return r.ok ? { ok: true } : r;
}

/**
 * The device table for a case: `table` with its `xen` entry for the case's guest type
 * (Xen cases carry one; the others use the table as it is).
 */
export function deviceTableFor(guestType: XenGuestType | undefined, table: Record<string, BackendDevices> = BACKEND_DEVICES): Record<string, BackendDevices> {
  return guestType === undefined ? table : { ...table, xen: xenDevices(guestType) };
}

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
  const gate = devices.unavailable?.[kind];
  if (request.device === undefined) {
    const choice = devices.defaults[kind][request.io];
    if (typeof choice !== 'string') return { ok: false, reason: choice.unavailable };
    if (gate !== undefined) return { ok: false, reason: gate };
    return { ok: true, model: choice, io: choice === 'host-file' ? 'none' : request.io };
  }
  if (!devices.models[kind].includes(request.device)) {
    return { ok: false, reason: devices.why?.(kind, request.device) ?? `backend ${backend} cannot attach a ${request.device} ${kind}` };
  }
  if (gate !== undefined) return { ok: false, reason: gate };
  return { ok: true, model: request.device, io: ioModeOf(request.device) };
}
