import { HvbError } from '../util/errors.ts';
import type { Backend } from './common/backend.ts';
import { kvmBackend } from './qemu/kvm.ts';
import { nativeBackend } from './native/native.ts';
import { tcgBackend } from './qemu/tcg.ts';
import { xenBackend } from './xen/xen.ts';

/** Every backend by name. The only module that imports them all. */
export const backends: Record<string, Backend> = {
  tcg: tcgBackend,
  kvm: kvmBackend,
  xen: xenBackend,
  native: nativeBackend,
};

export const backendNames: readonly string[] = Object.keys(backends);

export function getBackend(name: string): Backend {
  const backend = Object.hasOwn(backends, name) ? backends[name] : undefined;
  if (backend === undefined) {
    throw new HvbError('unknown-backend', `unknown backend "${name}"; known backends: ${backendNames.join(', ')}`);
  }
  return backend;
}
