import type { Backend } from '../common/backend.ts';
import { QEMU_DEFAULTS } from './argv.ts';
import { qemuLeftovers } from './leftovers.ts';
import { MACHINE_AXIS, machineOf } from './machines.ts';
import { qemuShare } from './shares.ts';
import { qemuNicQueues } from './nic-queues.ts';

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
 * What every QEMU backend (tcg, kvm) declares alike: its machine types as variants, each
 * machine's devices (with their NIC queues), NICs on a tap in a network namespace on the VMM's host, QEMU's version
 * as a dimension of every sample, folders shared by virtiofs or 9p (a machine may say
 * otherwise), QEMU's leftovers, and which `-drive cache=` modes open the
 * disk file with O_DIRECT (`none`, the default, and `directsync`).
 */
export const QEMU_DECLARATIONS = {
  variants: MACHINE_AXIS,
  devices: (variant?: string) => ({
    share: qemuShare,
    ...machineOf(variant).devices,
    nicVhost: tcgNicVhost,
    nicQueues: qemuNicQueues(machineOf(variant)),
  }),
  network: 'host-netns',
  factDims: ['qemu'],
  leftovers: qemuLeftovers,
  diskDirectIo: (cache: string | undefined) => O_DIRECT_CACHES.has(cache ?? QEMU_DEFAULTS.diskCache),
} as const satisfies Omit<Backend, 'name' | 'probe' | 'launch'>;
