import { resolveDevice, type BackendDevices } from './capabilities.ts';
import type { DeviceNeeds, IoMode } from './models.ts';

/** The devices one case gets on its backend. */
export interface CaseDevices {
  disk?: { model: string; io: IoMode | 'none'; sizeMiB: number };
  nic?: { model: string; io: IoMode | 'none' };
}

/**
 * Maps a case's device needs onto its backend: the models to attach, or the reason the
 * backend cannot offer them (the case is then skipped with it). Pure: nothing is created.
 */
export function caseDevices(backend: string, table: BackendDevices | undefined, needs: DeviceNeeds): { devices: CaseDevices } | { skip: string } {
  const devices: CaseDevices = {};
  if (needs.disk) {
    const r = resolveDevice(backend, table, 'disk', needs.disk);
    if (!r.ok) return { skip: r.reason };
    devices.disk = { model: r.model, io: r.io, sizeMiB: needs.disk.sizeMiB };
  }
  if (needs.nic) {
    const r = resolveDevice(backend, table, 'nic', needs.nic);
    if (!r.ok) return { skip: r.reason };
    devices.nic = { model: r.model, io: r.io };
  }
  return { devices };
}
