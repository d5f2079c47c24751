import { z } from 'zod';
import { DISK_MODELS, IO_MODES, ioModeOf, NIC_MODELS, type DeviceRequest } from '../devices/models.ts';

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
