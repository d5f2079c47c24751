import type { DeviceKind, DeviceRequest, IoMode } from './models.ts';
import { ioModeOf } from './models.ts';

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
