import type { DiskPath } from '../../devices/models.ts';

/** Disk models QEMU can serve from an iothread: the virtio ones (virtio-blk's own, virtio-scsi's controller). */
export const IOTHREAD_DISK_MODELS: readonly string[] = ['virtio-blk', 'virtio-scsi'];
/** The probe fact that says whether this host's QEMU opens drives with aio=io_uring: `yes`, or `no: <QEMU's words>`. */
export const IO_URING_FACT = 'qemuIoUring';

/**
 * Which disk I/O paths QEMU can give a disk of `model`, by QEMU's own rules: aio=native needs
 * O_DIRECT (cache none or directsync: QEMU refuses it with writeback); an iothread serves only
 * virtio-blk and virtio-scsi; `num-queues` is set on virtio-blk only; io_uring only where the
 * probe saw this QEMU open a drive with it (its build has liburing and the host kernel lets it
 * use io_uring). Returns why not, or undefined.
 */
export function qemuDiskPath(path: DiskPath, model: string, facts: Readonly<Record<string, string>>): string | undefined {
  if (path.aio === 'native' && path.cache === 'writeback') {
    return 'QEMU refuses aio=native with cache=writeback: Linux native AIO needs O_DIRECT (cache none or directsync)';
  }
  if (path.iothread && !IOTHREAD_DISK_MODELS.includes(model)) {
    return `QEMU serves only virtio-blk and virtio-scsi disks from an iothread, not ${model}`;
  }
  if (path.queues !== undefined && model !== 'virtio-blk') {
    return `hvbench sets request queues (num-queues) on virtio-blk disks only, not on ${model}`;
  }
  const ioUring = facts[IO_URING_FACT];
  if (path.aio === 'io_uring' && ioUring !== undefined && ioUring !== 'yes') {
    return `this QEMU cannot use aio=io_uring here (${ioUring})`;
  }
  return undefined;
}
