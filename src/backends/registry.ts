import { HvbError } from '../util/errors.ts';
import type { Backend, VariantAxis } from './common/backend.ts';
import { kvmBackend } from './qemu/kvm.ts';
import { libvirtKvmBackend, libvirtTcgBackend } from './libvirt/libvirt.ts';
import { libvirtXenBackend } from './libvirt/xen.ts';
import { nativeBackend } from './native/native.ts';
import { tcgBackend } from './qemu/tcg.ts';
import { xenBackend } from './xen/xen.ts';

/** Every backend by name. The only module that imports them all. */
export const backends: Record<string, Backend> = {
  tcg: tcgBackend,
  kvm: kvmBackend,
  xen: xenBackend,
  native: nativeBackend,
  'libvirt-kvm': libvirtKvmBackend,
  'libvirt-tcg': libvirtTcgBackend,
  'libvirt-xen': libvirtXenBackend,
};

export const backendNames: readonly string[] = Object.keys(backends);

export function getBackend(name: string): Backend {
  const backend = Object.hasOwn(backends, name) ? backends[name] : undefined;
  if (backend === undefined) {
    throw new HvbError('unknown-backend', `unknown backend "${name}"; known backends: ${backendNames.join(', ')}`);
  }
  return backend;
}

/** The variant axes of the known backends, each once (tcg and kvm share the machine type). */
export const variantAxes: readonly VariantAxis[] = [...new Set(Object.values(backends).flatMap((b) => (b.variants ? [b.variants] : [])))];

/** The variant axis of a backend by name, when it is known and has one. */
export function variantAxisOf(name: string): VariantAxis | undefined {
  return Object.hasOwn(backends, name) ? backends[name]!.variants : undefined;
}
