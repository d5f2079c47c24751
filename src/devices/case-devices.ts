import { diskPathProblem, nicQueuesProblem, nicVhostProblem, resolveDevice, resolveShare, type BackendDevices } from './capabilities.ts';
import type { DeviceNeeds, DiskPath, IoMode, ShareKind } from './models.ts';

/** The devices one case gets on its backend. */
export interface CaseDevices {
  disk?: {
    model: string;
    io: IoMode | 'none';
    sizeMiB: number;
    /** The I/O path the backend gives it; absent: the default path. */
    path?: DiskPath;
  };
  nic?: {
    model: string;
    io: IoMode | 'none';
    /** vhost-net asked for by the case; absent: the backend's choice (`auto`). */
    vhost?: 'on' | 'off';
    /** Queue pairs asked for by the case; absent: one. */
    queues?: number;
  };
  /** The host folder the case shares (for `block`: the file system made on `disk`). */
  share?: {
    kind: ShareKind;
    /** What carries it: `virtiofs`, `9p`, `block`, or native's `host-dir`. */
    model: string;
    io: IoMode | 'none';
  };
}

/**
 * Maps a case's device needs onto its backend: the models to attach, or the reason the
 * backend cannot offer them (the case is then skipped with it). `facts` are the backend's
 * probe facts on the case's host, which some disk I/O paths depend on (QEMU's io_uring).
 * Pure: nothing is created.
 */
export function caseDevices(
  backend: string,
  table: BackendDevices | undefined,
  needs: DeviceNeeds,
  facts: Readonly<Record<string, string>> = {},
): { devices: CaseDevices } | { skip: string } {
  const devices: CaseDevices = {};
  if (needs.share) {
    // First: a backend without the share says so, rather than something about the disk of `block`.
    const r = resolveShare(backend, table, needs.share.kind, facts);
    if (!r.ok) return { skip: r.reason };
    devices.share = { kind: needs.share.kind, model: r.model, io: r.io };
  }
  if (needs.disk) {
    const r = resolveDevice(backend, table, 'disk', needs.disk);
    if (!r.ok) return { skip: r.reason };
    const path = needs.disk.path;
    if (path) {
      // resolveDevice found a model, so the table is there.
      const problem = diskPathProblem(backend, table as BackendDevices, r.model, path, facts);
      if (problem !== undefined) return { skip: problem };
    }
    devices.disk = { model: r.model, io: r.io, sizeMiB: needs.disk.sizeMiB, ...(path ? { path } : {}) };
  }
  if (needs.nic) {
    const r = resolveDevice(backend, table, 'nic', needs.nic);
    if (!r.ok) return { skip: r.reason };
    const vhost = needs.nic.vhost === 'auto' ? undefined : needs.nic.vhost;
    if (vhost !== undefined) {
      // resolveDevice found a model, so the table is there.
      const problem = nicVhostProblem(backend, table as BackendDevices, r.model, vhost, facts);
      if (problem !== undefined) return { skip: problem };
    }
    const queues = needs.nic.queues;
    if (queues !== undefined) {
      const problem = nicQueuesProblem(backend, table as BackendDevices, r.model, queues);
      if (problem !== undefined) return { skip: problem };
    }
    devices.nic = { model: r.model, io: r.io, ...(vhost ? { vhost } : {}), ...(queues === undefined ? {} : { queues }) };
  }
  return { devices };
}
