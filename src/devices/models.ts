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

/**
 * How the host serves a disk's I/O: the disk I/O path. `aio`: how the VMM submits requests to
 * the host kernel (a pool of threads doing blocking calls, Linux native AIO, io_uring).
 * `cache`: whether the host's page cache sits in the path (`none` and `directsync` open the
 * file with O_DIRECT; `directsync` also writes through; `writeback` caches on the host).
 * `iothread`: the device's requests are served by a thread of their own instead of the VMM's
 * main loop. `queues`: request queues the device offers (absent: the device's own default).
 */
export const DISK_AIO_MODES = ['threads', 'native', 'io_uring'] as const;
export type DiskAio = (typeof DISK_AIO_MODES)[number];
export const DISK_CACHE_MODES = ['none', 'writeback', 'directsync'] as const;
export type DiskCache = (typeof DISK_CACHE_MODES)[number];
/** The most request queues a case may ask of a disk. */
export const MAX_DISK_QUEUES = 16;

export interface DiskPath {
  aio: DiskAio;
  cache: DiskCache;
  iothread: boolean;
  /** Absent: the device's own default (QEMU's virtio-blk-pci: one queue per vCPU). */
  queues?: number;
}

/** The path every disk case had before the path was a parameter: what a backend without knobs offers. */
export const DEFAULT_DISK_PATH: Readonly<DiskPath> = { aio: 'threads', cache: 'none', iothread: false };

/** What a path changes from the default, as `key=value` words (empty: the default path). */
export function diskPathChanges(path: DiskPath): string[] {
  const changes: string[] = [];
  if (path.aio !== DEFAULT_DISK_PATH.aio) changes.push(`aio=${path.aio}`);
  if (path.cache !== DEFAULT_DISK_PATH.cache) changes.push(`cache=${path.cache}`);
  if (path.iothread) changes.push('iothread=true');
  if (path.queues !== undefined) changes.push(`queues=${path.queues}`);
  return changes;
}

/** What a workload asks for one device: a class, or a named model (then `io` must match it). */
export interface DeviceRequest {
  io: IoMode;
  device?: string;
}

/**
 * vhost-net for a NIC: `auto` (the backend's choice: KVM serves virtio-net on a tap from
 * the host kernel where /dev/vhost-net is usable), `on` (required: a case that cannot have
 * it is skipped with why, never run without it), `off` (the VMM's own device loop).
 */
export const VHOST_MODES = ['auto', 'on', 'off'] as const;
export type VhostMode = (typeof VHOST_MODES)[number];

/**
 * The most queue pairs (one receive, one transmit queue each) a case may ask of a
 * paravirtual NIC. Linux's virtio_net uses at most one pair per vCPU.
 */
export const MAX_NIC_QUEUES = 16;

/**
 * How a host folder reaches a file workload in the guest: `virtiofs` (virtiofsd and the
 * vhost-user-fs device), `9p` (QEMU's virtio-9p), or `block`: the same files on a file
 * system of the guest's own, on a paravirtual scratch disk, as the reference.
 */
export const SHARE_KINDS = ['virtiofs', '9p', 'block'] as const;
export type ShareKind = (typeof SHARE_KINDS)[number];

/** The devices a case needs, from its workload's parameters. */
export interface DeviceNeeds {
  /** A scratch disk of this size, attached for the case and removed after it. */
  disk?: DeviceRequest & {
    sizeMiB: number;
    /** The I/O path asked for; absent: the default path (DEFAULT_DISK_PATH). */
    path?: DiskPath;
  };
  nic?: DeviceRequest & {
    /** vhost-net asked for; absent: `auto`. */
    vhost?: VhostMode;
    /** Queue pairs of a multi-queue NIC; absent: the single-queue NIC every case had. */
    queues?: number;
  };
  /** A host folder shared into the guest (or, for `block`, the file system on `disk`). */
  share?: { kind: ShareKind };
}
