import { createHash } from 'node:crypto';
import type { CaseManifest } from './run-record.ts';

/**
 * The equivalence manifest: what a case's guest actually got, read back on every boot (the
 * fields below), hashed, and compared between the sides of a comparison.
 *
 * Each field says how two sides must agree:
 * - `equal`: the same value, or the sides did not get the same guest;
 * - `close`: within MEMORY_TOLERANCE (the memory the guest kernel sees differs by the few
 *   MiB each firmware and hypervisor keeps for itself);
 * - `nature`: differs by nature between backends (the hypervisor the guest detects, its
 *   clock source, the drivers, the backend's console arguments); it must match only
 *   between two sides of the same backend.
 * A side that runs on the host (native) has no guest: only the fields marked `host` must
 * match with it; its other fields say what the host is and differ by nature.
 * A field read on one side only (Xen has no QMP, native no virtual disk) is not compared.
 */
export type FieldMatch = 'equal' | 'close' | 'nature';

export interface ManifestField {
  label: string;
  match: FieldMatch;
  /** Must match also against a side that runs on the host. */
  host?: true;
}

export const MANIFEST_FIELDS = {
  on: { label: 'runs on (guest or host)', match: 'nature' },
  cpus: { label: 'CPUs the workload may use', match: 'equal', host: true },
  topology: { label: 'CPU topology (sockets, cores, threads)', match: 'equal' },
  memory_kib: { label: 'memory (MemTotal, KiB)', match: 'close' },
  kernel: { label: 'kernel release', match: 'equal' },
  cmdline: { label: 'kernel command line (without the job and the arguments the backend adds)', match: 'equal' },
  cmdline_backend: { label: 'kernel arguments the backend adds (console, board)', match: 'nature' },
  clocksource: { label: 'clock source', match: 'nature' },
  hypervisor: { label: 'hypervisor the guest detected', match: 'nature' },
  image: { label: 'guest image hash', match: 'equal', host: true },
  disk_cache: { label: 'disk cache mode (the VMM)', match: 'equal' },
  disk_write_cache: { label: 'disk write cache (the guest)', match: 'equal' },
  disk_queues: { label: 'disk hardware queues', match: 'equal' },
  disk_nr_requests: { label: 'disk queue depth (nr_requests)', match: 'equal' },
  disk_scheduler: { label: 'disk I/O scheduler', match: 'equal' },
  disk_drivers: { label: 'disk drivers', match: 'nature' },
  nic_rx_queues: { label: 'NIC receive queues', match: 'equal' },
  nic_tx_queues: { label: 'NIC transmit queues', match: 'equal' },
  nic_offloads: { label: 'NIC offloads (virtio feature bits the guest negotiated)', match: 'equal' },
  nic_drivers: { label: 'NIC drivers', match: 'nature' },
} as const satisfies Record<string, ManifestField>;

export type ManifestFieldName = keyof typeof MANIFEST_FIELDS;

/** Relative difference of memory two sides may show and still count as the same memory size. */
export const MEMORY_TOLERANCE = 0.05;

/** The fields in sorted key order, so equal manifests serialise and hash alike. */
export function sortedFields(fields: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(
    Object.keys(fields)
      .sort()
      .map((k) => [k, fields[k]!]),
  );
}

/** A short sha256 over the fields in sorted key order. */
export function manifestHash(fields: Readonly<Record<string, string>>): string {
  return createHash('sha256')
    .update(JSON.stringify(Object.entries(sortedFields(fields))))
    .digest('hex')
    .slice(0, 16);
}

/** A case's manifest from one boot's fields. */
export function caseManifest(fields: Readonly<Record<string, string>>): CaseManifest {
  const sorted = sortedFields(fields);
  return { fields: sorted, hash: manifestHash(sorted) };
}

/** The fields whose values differ between two readings (a field present in one only counts). */
export function changedFields(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => a[k] !== b[k]).sort();
}

/**
 * Records one boot's reading in a case's manifest: the first reading is the manifest; a later
 * one with another hash is kept in `changed`, naming the fields that differ from the first.
 */
export function recordReading(
  current: CaseManifest | undefined,
  fields: Readonly<Record<string, string>>,
  boot: { rep: number; warmup: boolean },
): CaseManifest {
  const reading = caseManifest(fields);
  if (current === undefined) return reading;
  if (reading.hash === current.hash) return current;
  const changed = [
    ...(current.changed ?? []),
    { rep: boot.rep, warmup: boot.warmup, hash: reading.hash, fields: changedFields(current.fields, reading.fields) },
  ];
  return { ...current, changed };
}

/** One field two sides of a comparison disagree on. */
export interface FieldDifference {
  field: string;
  label: string;
  a: string;
  b: string;
  /** `must-match`: the sides did not get the same guest; `nature`: expected between these sides. */
  kind: 'must-match' | 'nature';
}

/**
 * A side of a comparison: what it stands for (its backend, or the value of the dimension
 * compared) and its manifest. `nature` fields may differ only between sides that stand for
 * different things.
 */
export interface ManifestSide {
  variant: string;
  fields: Readonly<Record<string, string>>;
}

/**
 * Every field two sides disagree on, sorted by field name, each classed: must-match (the
 * comparison is not between equal guests) or expected by nature (see MANIFEST_FIELDS).
 */
export function manifestDifferences(a: ManifestSide, b: ManifestSide): FieldDifference[] {
  const onHost = a.fields['on'] === 'host' || b.fields['on'] === 'host';
  const out: FieldDifference[] = [];
  for (const field of [...new Set([...Object.keys(a.fields), ...Object.keys(b.fields)])].sort()) {
    const va = a.fields[field];
    const vb = b.fields[field];
    if (va === undefined || vb === undefined || va === vb) continue;
    const def: ManifestField | undefined = (MANIFEST_FIELDS as Record<string, ManifestField>)[field];
    const match = def?.match ?? 'equal';
    if (match === 'close' && withinTolerance(va, vb)) continue;
    const mustMatch = onHost ? def?.host === true : match !== 'nature' || a.variant === b.variant;
    out.push({ field, label: def?.label ?? field, a: va, b: vb, kind: mustMatch ? 'must-match' : 'nature' });
  }
  return out;
}

function withinTolerance(a: string, b: string): boolean {
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && Math.max(x, y) > 0 && Math.abs(x - y) / Math.max(x, y) <= MEMORY_TOLERANCE;
}

/** `cpus 2 ≠ 4, memory (MemTotal, KiB) …`: the fields in a sentence. */
export function describeDifferences(diffs: readonly FieldDifference[]): string {
  return diffs.map((d) => `${d.field} (${d.label}): ${d.a} against ${d.b}`).join('; ');
}
