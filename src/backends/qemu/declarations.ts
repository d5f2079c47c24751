import type { Backend } from '../common/backend.ts';
import { qemuLeftovers } from './leftovers.ts';
import { MACHINE_AXIS, machineOf } from './machines.ts';

/**
 * What every QEMU backend (tcg, kvm) declares alike: its machine types as variants, each
 * machine's devices, NICs on a tap in a network namespace on the VMM's host, QEMU's version
 * as a dimension of every sample, and QEMU's leftovers.
 */
export const QEMU_DECLARATIONS = {
  variants: MACHINE_AXIS,
  devices: (variant?: string) => machineOf(variant).devices,
  network: 'host-netns',
  factDims: ['qemu'],
  leftovers: qemuLeftovers,
} as const satisfies Omit<Backend, 'name' | 'probe' | 'launch'>;
