import type { BackendDevices } from '../../devices/capabilities.ts';

const NOT_APPLICABLE = 'not applicable: native runs on the host, without virtual devices';

/**
 * The native baseline has no virtual devices. Its disk cases run on a scratch file on the
 * host (`host-file`), as the row that `io: 'paravirtual'` cases compare against; a case that
 * asks for emulated I/O or names a device has no native counterpart, and NIC cases neither.
 */
export const NATIVE_DEVICES: BackendDevices = {
  defaults: {
    disk: { paravirtual: 'host-file', emulated: { unavailable: NOT_APPLICABLE } },
    nic: { paravirtual: { unavailable: NOT_APPLICABLE }, emulated: { unavailable: NOT_APPLICABLE } },
  },
  models: { disk: [], nic: [] },
  why: () => NOT_APPLICABLE,
};
