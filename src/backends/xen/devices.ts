import { HvbError } from '../../util/errors.ts';
import { resolveDevice, type BackendDevices, type DeviceResolution } from '../../devices/capabilities.ts';
import { diskPathChanges, ioModeOf, NIC_MODELS, type DeviceKind, type DiskPath, type ShareKind } from '../../devices/models.ts';
import type { VariantAxis } from '../common/backend.ts';

/**
 * Xen guest types: `pv` (paravirtualised, no hardware virtualisation), `pvh` (hardware
 * virtualisation, PV drivers, no device model) and `hvm` (a device model in dom0 emulates a
 * PC: the only type with emulated disks and NICs).
 */
export const XEN_GUEST_TYPES = ['pv', 'pvh', 'hvm'] as const;
export type XenGuestType = (typeof XEN_GUEST_TYPES)[number];
/** The guest type of a Xen VM that does not name one. */
export const DEFAULT_XEN_GUEST_TYPE: XenGuestType = 'pvh';

/** The Xen backend's variants: its guest types, each a case of its own (`xen:pv/cpu`). */
export const GUEST_TYPE_AXIS: VariantAxis = {
  dim: 'guest_type',
  label: 'Xen guest type',
  suiteField: 'xenTypes',
  option: 'xen-type',
  values: XEN_GUEST_TYPES,
  defaults: [DEFAULT_XEN_GUEST_TYPE],
};

/** A VM's guest type: its spec's variant, else `pvh`. */
export function guestTypeOf(variant: string | undefined): XenGuestType {
  const t = variant ?? DEFAULT_XEN_GUEST_TYPE;
  if (!(XEN_GUEST_TYPES as readonly string[]).includes(t)) throw new HvbError('invalid-argument', `unknown Xen guest type "${t}"; expected pv, pvh or hvm`);
  return t as XenGuestType;
}

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
    diskPath: xenDiskPath,
    share: xenShare,
    nicQueues: xenNicQueues,
  };
}

/**
 * Xen's equivalent of a multi-queue NIC, for the reason such a case is skipped: netfront and
 * netback negotiate their queue pairs themselves, up to dom0's `xen_netback.max_queues` and
 * the guest's `xen_netfront.max_queues` (each defaulting to its CPUs), and xl's vif
 * configuration has no queue setting. One queue pair is what the default negotiates on a
 * single-vCPU guest; the count the guest uses is recorded as `nic_queues` either way.
 */
function xenNicQueues(queues: number): string | undefined {
  if (queues === 1) return undefined;
  return `Xen cannot set ${queues} NIC queue pairs: netfront and netback negotiate them (up to dom0's xen_netback.max_queues and the guest's xen_netfront.max_queues, each its CPU count by default); xl's vif configuration has no queue setting`;
}

/**
 * Shared folders on Xen, for the reason such a case is skipped. virtiofs is QEMU's (a
 * vhost-user device). Xen 4.17's 9pfs (xl.cfg `p9=`) is served by a QEMU backend process in
 * dom0 (`xen-9pfs`, started by libxl for PV and PVH guests as their device model), over the
 * guest's 9pnet_xen transport: hvbench's dom0 does not carry that QEMU for PV and PVH guests,
 * and its guests do not load 9pnet_xen. `block` is a PV disk with ext4 on it.
 */
function xenShare(kind: ShareKind): DeviceResolution {
  if (kind === 'block') return { ok: true, model: 'block', io: 'paravirtual' };
  if (kind === 'virtiofs') return { ok: false, reason: "virtiofs is QEMU's (virtiofsd and a vhost-user device); Xen has no virtiofs" };
  return {
    ok: false,
    reason:
      "Xen's 9pfs (xl.cfg p9=) is served by a QEMU backend process in dom0 (xen-9pfs) over the guest's 9pnet_xen; hvbench's dom0 does not run that QEMU for PV and PVH guests, so 9p on Xen is not offered yet",
  };
}

/**
 * Xen's equivalent of each disk I/O path knob, for the reason a case that changes one is
 * skipped: the PV disk is served by blkback in dom0's kernel (over a loop device for a file),
 * the emulated one by the device model, and xl's disk configuration sets none of them.
 */
const XEN_PATH_KNOBS: Record<'aio' | 'cache' | 'iothread' | 'queues', string> = {
  aio: "blkback submits the guest's requests from dom0's kernel; xl's disk configuration has no aio choice",
  cache: "xl's disk configuration has no cache mode (blkback reads the file through a loop device in dom0)",
  iothread: 'blkback already serves each ring from a kernel thread of its own in dom0; xl has no iothread',
  queues:
    "the rings of a PV disk are negotiated by the drivers (dom0's xen_blkback.max_queues, the guest's xen_blkfront.max_queues), not set in xl's disk configuration",
};

/** Xen runs every disk on its own path: any other is skipped, naming what Xen has instead. */
function xenDiskPath(path: DiskPath): string | undefined {
  const changes = diskPathChanges(path);
  if (changes.length === 0) return undefined;
  const why = changes.map((c) => XEN_PATH_KNOBS[c.slice(0, c.indexOf('=')) as keyof typeof XEN_PATH_KNOBS]);
  return `Xen cannot set the disk I/O path ${changes.join(', ')}: ${why.join('; ')}`;
}

/**
 * Whether a Xen guest of `type` can have the device `model` (a disk or NIC model name):
 * `{ ok: true }`, or why not (the case is then skipped with that reason).
 */
export function xenDeviceSupport(type: XenGuestType, model: string): { ok: true } | { ok: false; reason: string } {
  const kind: DeviceKind = (NIC_MODELS as readonly string[]).includes(model) ? 'nic' : 'disk';
  const r = resolveDevice('xen', xenDevices(type), kind, { io: ioModeOf(model), device: model });
  return r.ok ? { ok: true } : r;
}
