import type { BackendDevices } from '../../devices/capabilities.ts';
import { diskPathChanges } from '../../devices/models.ts';

const NOT_APPLICABLE = 'not applicable: native runs on the host, without virtual devices';

/**
 * The native baseline has no virtual devices. Its disk cases run on a scratch file on the
 * host (`host-file`), as the row that `io: 'paravirtual'` cases compare against; a case that
 * asks for emulated I/O or names a device has no native counterpart, and NIC cases neither.
 * The disk I/O path (aio, cache, iothread, queues) is a VMM's: native runs only the default
 * one, whose samples are the reference for every path (the path parameters are device
 * dimensions, src/dims/catalogue.ts); running it again per path would measure the same thing.
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
};
