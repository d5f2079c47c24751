import { z } from 'zod';
import {
  DEFAULT_DISK_PATH,
  DISK_AIO_MODES,
  DISK_CACHE_MODES,
  DISK_MODELS,
  IO_MODES,
  ioModeOf,
  MAX_DISK_QUEUES,
  MAX_NIC_QUEUES,
  NIC_MODELS,
  type DeviceRequest,
  type DiskAio,
  type DiskCache,
  type DiskPath,
} from '../devices/models.ts';

/**
 * Parameters shared by workloads with a device: `io` (the class: each backend's default
 * device of it) and `device` (one named model). Either may be given; when both are, they
 * must agree. Neither: paravirtual.
 */
export function ioParams(kind: 'disk' | 'nic') {
  return {
    /** `paravirtual` (virtio on QEMU, Xen's PV drivers on Xen) or `emulated` (IDE / e1000 on QEMU). */
    io: z.enum(IO_MODES).optional(),
    /** One named model instead of the class default, e.g. `nvme`, `ahci`, `rtl8139`. */
    device: z.enum(kind === 'disk' ? DISK_MODELS : NIC_MODELS).optional(),
  };
}

/** The zod check that `io` and `device` agree, for the workload schema's superRefine. */
export function checkIoDevice(p: { io?: string | undefined; device?: string | undefined }, ctx: z.RefinementCtx): void {
  if (p.io !== undefined && p.device !== undefined && ioModeOf(p.device) !== p.io) {
    ctx.addIssue({ code: 'custom', path: ['device'], message: `device ${p.device} is ${ioModeOf(p.device)} I/O, but io is "${p.io}"; drop one of them` });
  }
}

/** The device request of a case: the named device, or the class (default paravirtual). */
export function ioRequest(p: { io?: DeviceRequest['io'] | undefined; device?: string | undefined }): DeviceRequest {
  if (p.device !== undefined) return { io: ioModeOf(p.device), device: p.device };
  return { io: p.io ?? 'paravirtual' };
}

/**
 * The disk I/O path as parameters (see DiskPath): how the host serves the scratch disk. All
 * optional: a case that gives none keeps the default path (aio threads, cache none, no
 * iothread, the device's own queues) and its samples keep the dimensions they always had.
 */
export function diskPathParams() {
  return {
    /** How the VMM submits the disk's requests: `threads` (default), `native` (Linux AIO) or `io_uring`. */
    aio: z.enum(DISK_AIO_MODES).optional(),
    /** The host's page cache in the path: `none` (default, O_DIRECT), `directsync` (O_DIRECT, written through) or `writeback`. */
    cache: z.enum(DISK_CACHE_MODES).optional(),
    /** Serve the disk from an I/O thread of its own (virtio-blk, virtio-scsi). Default false. */
    iothread: z.boolean().optional(),
    /** Request queues of a virtio-blk disk, 1–16. Default: the device's own (QEMU: one per vCPU on PCI). */
    queues: z.number().int().min(1).max(MAX_DISK_QUEUES).optional(),
  };
}

type PathInput = {
  io?: string | undefined;
  device?: string | undefined;
  aio?: DiskAio | undefined;
  cache?: DiskCache | undefined;
  iothread?: boolean | undefined;
  queues?: number | undefined;
};

/** aio modes that submit O_DIRECT requests only (Linux native AIO), so cannot go through the host's page cache. */
const O_DIRECT_ONLY: ReadonlySet<DiskAio> = new Set(['native']);

/** Devices with a single request queue and no I/O thread anywhere: the emulated disks of the `emulated` class. */
const SINGLE_QUEUE = new Set(['ide', 'ahci']);

/**
 * The zod check of path combinations no backend can run, for the workload schema's
 * superRefine: refused when the suite is read, not when a guest boots.
 */
export function checkDiskPath(p: PathInput, ctx: z.RefinementCtx): void {
  if (p.aio !== undefined && O_DIRECT_ONLY.has(p.aio) && p.cache === 'writeback') {
    ctx.addIssue({
      code: 'custom',
      path: ['cache'],
      message: 'aio "native" needs O_DIRECT (cache "none" or "directsync"); cache "writeback" goes through the host\'s page cache, and QEMU refuses the pair',
    });
  }
  // `io: emulated` without a device is IDE or AHCI on every backend that offers it.
  const single = p.device !== undefined ? SINGLE_QUEUE.has(p.device) : p.io === 'emulated';
  const what = p.device ?? 'an emulated disk (IDE or AHCI)';
  if (single && p.queues !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['queues'], message: `queues sets the request queues of a virtio-blk disk; ${what} has a single queue` });
  }
  if (single && p.iothread === true) {
    ctx.addIssue({ code: 'custom', path: ['iothread'], message: `an iothread serves virtio-blk or virtio-scsi disks; ${what} cannot have one` });
  }
}

/** The disk I/O path a case asks for, the defaults filled in; undefined when it gives none of the path parameters. */
export function diskPathOf(p: PathInput): DiskPath | undefined {
  if (p.aio === undefined && p.cache === undefined && p.iothread === undefined && p.queues === undefined) return undefined;
  return {
    aio: p.aio ?? DEFAULT_DISK_PATH.aio,
    cache: p.cache ?? DEFAULT_DISK_PATH.cache,
    iothread: p.iothread ?? DEFAULT_DISK_PATH.iothread,
    ...(p.queues === undefined ? {} : { queues: p.queues }),
  };
}

/**
 * Queue pairs of a paravirtual NIC (multi-queue virtio-net): optional; absent, the NIC has
 * one queue pair, as every net case had.
 */
export function nicQueuesParam() {
  return z.number().int().min(1).max(MAX_NIC_QUEUES).optional();
}

/**
 * The zod check that `queues` is asked of a paravirtual NIC only, for the workload schema's
 * superRefine: e1000 and rtl8139 have a single queue on every backend.
 */
export function checkNicQueues(p: { io?: string | undefined; device?: string | undefined; queues?: number | undefined }, ctx: z.RefinementCtx): void {
  if (p.queues === undefined) return;
  const emulated = p.device !== undefined ? ioModeOf(p.device) === 'emulated' : p.io === 'emulated';
  if (!emulated) return;
  const what = p.device ?? 'an emulated NIC (e1000 on QEMU)';
  ctx.addIssue({
    code: 'custom',
    path: ['queues'],
    message: `queues sets the queue pairs of a paravirtual NIC (virtio-net, Xen's netfront); ${what} has a single queue`,
  });
}
