import type { DeviceKind, DeviceRequest, DiskPath, IoMode, ShareKind } from './models.ts';
import { diskPathChanges, ioModeOf } from './models.ts';

/** What a backend offers for one requested device: the model it attaches, or why it cannot. */
export type DeviceResolution = { ok: true; model: string; io: IoMode | 'none' } | { ok: false; reason: string };

/**
 * One backend's devices: what it attaches for each class, and which named models it has.
 * Each backend declares its own (Backend.devices, per variant); this module only resolves
 * a request against such a table.
 */
export interface BackendDevices {
  /** Model attached for `io: 'paravirtual'` / `'emulated'`, or why the class is not offered. */
  defaults: Record<DeviceKind, Record<IoMode, string | { unavailable: string }>>;
  /** Named models it can attach. */
  models: Record<DeviceKind, readonly string[]>;
  /** Why a named model outside `models` is not offered (default: a generic sentence). */
  why?: (kind: DeviceKind, model: string) => string;
  /**
   * Kinds of device the backend knows but cannot attach yet, with the reason. Checked after
   * the model is resolved, so a request that could never work keeps its own reason.
   */
  unavailable?: Partial<Record<DeviceKind, string>>;
  /**
   * Whether a NIC of `model` can have vhost-net `on` or `off` (`auto` always can):
   * undefined when it can, else why not. `facts` are the backend's probe facts on the host
   * (e.g. whether /dev/vhost-net is usable there). Absent: the backend has no such switch.
   */
  nicVhost?: (vhost: 'on' | 'off', model: string, facts: Readonly<Record<string, string>>) => string | undefined;
  /**
   * Whether a NIC of `model` can have `queues` queue pairs (multi-queue): undefined when it
   * can, else why not. Absent: the backend's NICs have one queue pair.
   */
  nicQueues?: (queues: number, model: string) => string | undefined;
  /**
   * Whether a disk of `model` can have the I/O path `path` (aio, cache, iothread, queues):
   * undefined when it can, else why not. `facts` are the backend's probe facts on the host
   * (e.g. whether its QEMU can use io_uring). Absent: the backend runs the default path only.
   */
  diskPath?: (path: DiskPath, model: string, facts: Readonly<Record<string, string>>) => string | undefined;
  /**
   * How a host folder of `kind` reaches the guest: the model that carries it (`virtiofs`,
   * `9p`, `block`; native's `host-dir`) and its I/O class, or why not. `facts` are the
   * backend's probe facts on the host (e.g. where its virtiofsd is). Absent: no shares.
   */
  share?: (kind: ShareKind, facts: Readonly<Record<string, string>>) => DeviceResolution;
}

/** How a backend shares a host folder of `kind` with its guest, or why it cannot. */
export function resolveShare(
  backend: string,
  devices: BackendDevices | undefined,
  kind: ShareKind,
  facts: Readonly<Record<string, string>> = {},
): DeviceResolution {
  if (devices?.share) return devices.share(kind, facts);
  return { ok: false, reason: `backend ${backend} cannot share a host folder with its guest (share ${kind})` };
}

/** Why a backend cannot give a NIC of `model` vhost-net `on` or `off`, or undefined when it can. */
export function nicVhostProblem(
  backend: string,
  devices: BackendDevices,
  model: string,
  vhost: 'on' | 'off',
  facts: Readonly<Record<string, string>> = {},
): string | undefined {
  if (devices.nicVhost) return devices.nicVhost(vhost, model, facts);
  return `backend ${backend} has no vhost-net switch (vhost ${vhost} is for QEMU's virtio-net on a tap)`;
}

/** Why a backend cannot give a NIC of `model` `queues` queue pairs, or undefined when it can. */
export function nicQueuesProblem(backend: string, devices: BackendDevices, model: string, queues: number): string | undefined {
  if (devices.nicQueues) return devices.nicQueues(queues, model);
  return `backend ${backend} gives its NICs one queue pair; it has no multi-queue setting (queues ${queues})`;
}

/**
 * The model a backend attaches for a request, or why it cannot (the case is then skipped
 * with that reason; a backend never substitutes another device).
 */
export function resolveDevice(backend: string, devices: BackendDevices | undefined, kind: DeviceKind, request: DeviceRequest): DeviceResolution {
  if (!devices) return { ok: false, reason: `backend ${backend} has no ${kind} models in hvbench's device table` };
  const gate = devices.unavailable?.[kind];
  if (request.device === undefined) {
    const choice = devices.defaults[kind][request.io];
    if (typeof choice !== 'string') return { ok: false, reason: choice.unavailable };
    if (gate !== undefined) return { ok: false, reason: gate };
    return { ok: true, model: choice, io: choice === 'host-file' ? 'none' : request.io };
  }
  if (!devices.models[kind].includes(request.device)) {
    return { ok: false, reason: devices.why?.(kind, request.device) ?? `backend ${backend} cannot attach a ${request.device} ${kind}` };
  }
  if (gate !== undefined) return { ok: false, reason: gate };
  return { ok: true, model: request.device, io: ioModeOf(request.device) };
}

/**
 * Why a backend cannot give a disk of `model` the I/O path `path`, or undefined when it can.
 * The default path needs no knob; any other needs the backend's own `diskPath` check.
 */
export function diskPathProblem(
  backend: string,
  devices: BackendDevices,
  model: string,
  path: DiskPath,
  facts: Readonly<Record<string, string>> = {},
): string | undefined {
  if (devices.diskPath) return devices.diskPath(path, model, facts);
  const changes = diskPathChanges(path);
  if (changes.length === 0) return undefined;
  return `backend ${backend} runs disks on the default I/O path only (aio threads, cache none, no iothread, the device's own queues), not ${changes.join(', ')}`;
}
