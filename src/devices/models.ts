/**
 * The I/O models a case can ask for. A leaf module (it imports nothing): workloads use it
 * for their parameter schemas, the rest of src/devices/ for mapping them onto backends.
 */

/** What a case asks for when it does not name a device: the backend's own default of the class. */
export const IO_MODES = ['paravirtual', 'emulated'] as const;
export type IoMode = (typeof IO_MODES)[number];

/**
 * Disk models. Paravirtual: the guest runs a driver written for a hypervisor (virtio, Xen's
 * blkfront). Emulated: the device model imitates real hardware and the guest runs that
 * hardware's driver — IDE (PIIX), AHCI, and NVMe, whose interface is efficient but still a
 * real controller's.
 */
export const DISK_MODELS = ['virtio-blk', 'virtio-scsi', 'xen-vbd', 'nvme', 'ide', 'ahci'] as const;
export type DiskModel = (typeof DISK_MODELS)[number];

/** NIC models, classified like the disks: virtio-net and Xen's netfront are paravirtual. */
export const NIC_MODELS = ['virtio-net', 'xen-vif', 'e1000', 'rtl8139'] as const;
export type NicModel = (typeof NIC_MODELS)[number];

export type DeviceKind = 'disk' | 'nic';

const PARAVIRTUAL = new Set<string>(['virtio-blk', 'virtio-scsi', 'xen-vbd', 'virtio-net', 'xen-vif']);

/** The class of a named model. */
export function ioModeOf(model: string): IoMode {
  return PARAVIRTUAL.has(model) ? 'paravirtual' : 'emulated';
}

/** What a workload asks for one device: a class, or a named model (then `io` must match it). */
export interface DeviceRequest {
  io: IoMode;
  device?: string;
}

/** The devices a case needs, from its workload's parameters. */
export interface DeviceNeeds {
  /** A scratch disk of this size, attached for the case and removed after it. */
  disk?: DeviceRequest & { sizeMiB: number };
  nic?: DeviceRequest;
}
