import type { BackendDevices } from '../../devices/capabilities.ts';
import { diskPathChanges, type ShareKind } from '../../devices/models.ts';

const NOT_APPLICABLE = 'not applicable: native runs on the host, without virtual devices';

/**
 * The native baseline has no virtual devices. Its disk cases run on a scratch file on the
 * host (`host-file`), as the row that `io: 'paravirtual'` cases compare against; a case that
 * asks for emulated I/O or names a device has no native counterpart, and NIC cases neither.
 * The disk I/O path (aio, cache, iothread, queues) is a VMM's: native runs only the default
 * one, whose samples are the reference for every path (the path parameters are device
 * dimensions, src/dims/catalogue.ts); running it again per path would measure the same thing.
 * The shared-filesystem workload does its file work in the host folder itself (`host-dir`),
 * once, as its `virtiofs` case: the reference for every share (`share` is a device dimension).
 */
export const NATIVE_DEVICES: BackendDevices = {
  defaults: {
    disk: { paravirtual: 'host-file', emulated: { unavailable: NOT_APPLICABLE } },
    nic: { paravirtual: { unavailable: NOT_APPLICABLE }, emulated: { unavailable: NOT_APPLICABLE } },
  },
  models: { disk: [], nic: [] },
  why: () => NOT_APPLICABLE,
  diskPath: (path) => {
    const changes = diskPathChanges(path);
    if (changes.length === 0) return undefined;
    return `${NOT_APPLICABLE} (${changes.join(', ')} sets a VMM's disk I/O path; the native case on the default path is the reference for every path)`;
  },
  share: nativeShare,
};

/** Native's file work runs in the host folder; only the `virtiofs` case runs it (see above). */
function nativeShare(kind: ShareKind) {
  if (kind === 'virtiofs') return { ok: true, model: 'host-dir', io: 'none' } as const;
  return {
    ok: false,
    reason: `${NOT_APPLICABLE}: native does the file work in the host folder itself, once, as its share virtiofs case (the reference for every share), not again as ${kind}`,
  } as const;
}
