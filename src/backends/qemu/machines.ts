import { HvbError } from '../../util/errors.ts';
import type { VariantAxis } from '../common/backend.ts';
import type { QemuMachine } from './machine.ts';
import { microvmMachine } from './machine-microvm.ts';
import { pcMachine } from './machine-pc.ts';
import { q35Machine } from './machine-q35.ts';

export type { MachineLaunch, QemuMachine } from './machine.ts';

/**
 * Every machine type, by name. The tcg and kvm backends offer each as a variant (the
 * dimension `machine`); a machine type lives in its own file and joins with one line here.
 * `pc` (i440fx, IDE built in) is the implicit one.
 */
export const QEMU_MACHINES: Record<string, QemuMachine> = {
  pc: pcMachine,
  q35: q35Machine,
  microvm: microvmMachine,
};

/** The machine a VM runs on: its spec's variant, else `pc`. */
export function machineOf(variant: string | undefined): QemuMachine {
  const name = variant ?? pcMachine.name;
  const machine = Object.hasOwn(QEMU_MACHINES, name) ? QEMU_MACHINES[name] : undefined;
  if (machine === undefined) {
    throw new HvbError('invalid-argument', `unknown QEMU machine type "${name}"; known: ${Object.keys(QEMU_MACHINES).join(', ')}`);
  }
  return machine;
}

/** The variant axis the QEMU backends share: machine types. */
export const MACHINE_AXIS: VariantAxis = {
  dim: 'machine',
  label: 'QEMU machine type',
  suiteField: 'machines',
  option: 'machine',
  values: Object.keys(QEMU_MACHINES),
  defaults: [pcMachine.name],
  implicit: pcMachine.name,
};
