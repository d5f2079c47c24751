import type { QemuMachine } from './machine.ts';

/**
 * Which NICs QEMU can give more than one queue pair, by its own rules and hvbench's: virtio-net
 * only (e1000 and rtl8139 have one queue), and on PCI only: `virtio-net-pci` takes an MSI-X
 * vector per queue (`vectors=`), while on microvm's virtio-mmio every queue would share the
 * device's one interrupt. The tap side (IFF_MULTI_QUEUE) is the network's (user-mode
 * networking cannot, and planning skips such cases with the provider's reason).
 */
export function qemuNicQueues(machine: QemuMachine): (queues: number, model: string) => string | undefined {
  return (queues, model) => {
    if (queues === 1) return undefined;
    if (model !== 'virtio-net') return `QEMU's ${model} has a single queue; queue pairs are virtio-net's (mq)`;
    if (machine.virtio !== 'pci') {
      return `hvbench gives virtio-net several queues on PCI only (an MSI-X vector per queue); machine ${machine.name} attaches it over virtio-mmio, where every queue shares one interrupt`;
    }
    return undefined;
  };
}

/**
 * MSI-X vectors of a virtio-net-pci with `queues` pairs: one per queue (receive and transmit),
 * one for the control queue and one for configuration changes, as QEMU's documentation gives.
 */
export function virtioNetVectors(queues: number): number {
  return 2 * queues + 2;
}
