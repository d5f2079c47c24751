import type { Backend } from '../common/backend.ts';
import { QEMU_DEFAULTS } from './argv.ts';
import { qemuLeftovers } from './leftovers.ts';
import type { BackendDevices } from '../../devices/capabilities.ts';
import { MACHINE_AXIS, machineOf, type QemuMachine } from './machines.ts';
import { qemuShare } from './shares.ts';
import { qemuNicQueues } from './nic-queues.ts';
import { qemuDiskPath } from './disk-path.ts';

/** The `-drive cache=` modes that open the disk file with O_DIRECT. */
const O_DIRECT_CACHES = new Set(['none', 'directsync']);

/**
 * vhost-net under TCG: `off` is what runs anyway; `on` cannot be, as vhost serves the
 * queues from the host kernel through KVM's irqfd and ioeventfd. kvm.ts declares its own.
 */
function tcgNicVhost(vhost: 'on' | 'off'): string | undefined {
  return vhost === 'on' ? "vhost-net needs KVM (its irqfd and ioeventfd): under TCG QEMU serves virtio-net's queues itself" : undefined;
}

/**
 * Shares under TCG: as on KVM (qemuShare), but no virtiofs on a virtio-mmio board. There the
 * guest mounts it and then hangs at its first file request (seen on microvm, QEMU 7.2):
 * without KVM, virtio-mmio has no ioeventfd, which vhost-user needs to pass the guest's
 * notifications to virtiofsd. kvm.ts declares qemuShare itself.
 */
function tcgShare(machine: QemuMachine): NonNullable<BackendDevices['share']> {
  return (kind, facts) => {
    if (kind === 'virtiofs' && machine.virtio === 'mmio') {
      return {
        ok: false,
        reason: `virtiofs on ${machine.name} needs KVM: under TCG virtio-mmio has no ioeventfd, which vhost-user needs to pass the guest's requests to virtiofsd (the guest hangs at its first file request)`,
      };
    }
    return qemuShare(kind, facts);
  };
}

/**
 * Disk I/O paths under TCG: QEMU's rules (qemuDiskPath), and no iothread on a virtio-mmio
 * board: QEMU refuses to start such a disk ("ioeventfd is required for iothread"), as
 * virtio-mmio has ioeventfd only under KVM. kvm.ts declares qemuDiskPath itself.
 */
function tcgDiskPath(machine: QemuMachine): NonNullable<BackendDevices['diskPath']> {
  return (path, model, facts) => {
    if (path.iothread && machine.virtio === 'mmio') {
      return `an iothread on ${machine.name} needs KVM: under TCG virtio-mmio has no ioeventfd, without which QEMU serves no disk from an iothread`;
    }
    return qemuDiskPath(path, model, facts);
  };
}

/**
 * What every QEMU backend (tcg, kvm) declares alike: its machine types as variants, each
 * machine's devices (with their NIC queues), NICs on a tap in a network namespace on the VMM's host, QEMU's version
 * as a dimension of every sample, folders shared by virtiofs or 9p (a machine may say
 * otherwise), QEMU's leftovers, and which `-drive cache=` modes open the
 * disk file with O_DIRECT (`none`, the default, and `directsync`).
 */
export const QEMU_DECLARATIONS = {
  variants: MACHINE_AXIS,
  devices: (variant?: string) => ({
    share: tcgShare(machineOf(variant)),
    ...machineOf(variant).devices,
    diskPath: tcgDiskPath(machineOf(variant)),
    nicVhost: tcgNicVhost,
    nicQueues: qemuNicQueues(machineOf(variant)),
  }),
  network: 'host-netns',
  startBarrier: true,
  factDims: ['qemu'],
  leftovers: qemuLeftovers,
  diskDirectIo: (cache: string | undefined) => O_DIRECT_CACHES.has(cache ?? QEMU_DEFAULTS.diskCache),
} as const satisfies Omit<Backend, 'name' | 'probe' | 'launch'>;
