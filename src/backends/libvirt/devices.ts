import type { BackendDevices } from '../../devices/capabilities.ts';
import { diskPathChanges, type DiskPath } from '../../devices/models.ts';
import { LIBVIRT_DISK_MODELS, LIBVIRT_NIC_MODELS } from './domain-xml.ts';

/** The `<driver cache>` modes that open the disk file with O_DIRECT. */
const O_DIRECT_CACHES = new Set(['none', 'directsync']);

/** Whether a libvirt disk with this cache mode (absent: `none`, hvbench's default) opens its file with O_DIRECT. */
export function libvirtDiskDirectIo(cache: string | undefined): boolean {
  return O_DIRECT_CACHES.has(cache ?? 'none');
}

/**
 * Which disk I/O paths libvirt's `<driver>` carries: `cache`, `io` (threads, native,
 * io_uring), `iothread` and `queues`. QEMU's rules hold as they are libvirt's too: aio=native
 * needs the file opened with O_DIRECT; an iothread serves virtio devices only; queues are a
 * virtio device's. io_uring needs a QEMU and kernel that have it, which the domain's start
 * then tells.
 */
export function libvirtDiskPath(path: DiskPath, model: string): string | undefined {
  if (diskPathChanges(path).length === 0) return undefined;
  if (path.aio === 'native' && !O_DIRECT_CACHES.has(path.cache))
    return `aio=native needs cache=none or directsync (O_DIRECT): QEMU refuses it with cache=${path.cache}`;
  if (path.iothread && !model.startsWith('virtio-')) return `an iothread serves virtio devices only, not ${model}`;
  if (path.queues !== undefined && !model.startsWith('virtio-')) return `request queues are a virtio device's, not ${model}'s`;
  return undefined;
}

/**
 * vhost-net for a NIC: under TCG it cannot be on (vhost serves the queues through KVM's
 * irqfd and ioeventfd); under KVM libvirt's `<driver name='vhost'>` asks for it on a NIC of
 * virtio model, and the domain does not start where /dev/vhost-net is not usable.
 */
function nicVhost(type: 'kvm' | 'qemu'): NonNullable<BackendDevices['nicVhost']> {
  return (vhost, model) => {
    if (vhost === 'off') return undefined;
    if (type === 'qemu') return "vhost-net needs KVM (its irqfd and ioeventfd): under TCG QEMU serves virtio-net's queues itself";
    return model === 'virtio-net' ? undefined : `vhost-net serves virtio-net only, not ${model}`;
  };
}

/**
 * The devices of a libvirt domain on the `pc` machine: virtio-blk or virtio-scsi
 * (paravirtual) and IDE or AHCI (emulated) disks; virtio-net, e1000 or rtl8139 NICs. NVMe is
 * not offered: libvirt 9's `<disk>` has no NVMe bus. No shared folders (virtiofs needs the
 * domain's memory shared with virtiofsd, which hvbench does not set up here).
 */
export function libvirtDevices(type: 'kvm' | 'qemu'): BackendDevices {
  return {
    defaults: {
      disk: { paravirtual: 'virtio-blk', emulated: 'ide' },
      nic: { paravirtual: 'virtio-net', emulated: 'e1000' },
    },
    models: { disk: LIBVIRT_DISK_MODELS, nic: LIBVIRT_NIC_MODELS },
    why: (kind, model) =>
      model === 'nvme'
        ? 'libvirt domains get no NVMe disk here: libvirt 9 has no NVMe bus for <disk>'
        : `${model} is not a ${kind} model of libvirt domains here (they have: ${(kind === 'disk' ? LIBVIRT_DISK_MODELS : LIBVIRT_NIC_MODELS).join(', ')})`,
    diskPath: (path, model) => libvirtDiskPath(path, model),
    nicVhost: nicVhost(type),
    nicQueues: (queues, model) => (model === 'virtio-net' ? undefined : `multi-queue is virtio-net's, not ${model}'s (queues ${queues})`),
  };
}
