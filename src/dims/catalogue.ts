import type { Dims } from '../results/sample.ts';

/**
 * The catalogue of sample dimensions: every dimension a run records, declared once with
 * its role. Compare, report and history group samples through this file and nowhere else.
 *
 * - configuration: matched across everything that is compared (workload, parameters,
 *   vCPUs, memory, I/O class, device model). `device` marks the ones that describe the
 *   case's device: a variant without devices (native) is the reference for every device
 *   model of its workload.
 * - variant: what is compared (backend, Xen guest type, QEMU machine type: each backend's
 *   variant axis, Backend.variants).
 * - follows: follows from the variant or from the configuration (the accelerator, what the
 *   guest sees of its platform, its clocksource, the driver that bound a device model and the
 *   NIC queues it uses, dom0 kernel, Xen scheduler, vhost, whether the guest's shape
 *   overcommits its host): shown, never splitting a series. A value that differs
 *   between repetitions of one case becomes a note.
 * - host: where the case ran. Matched between two runs (a regression gate compares like
 *   with like); within one run it follows the variant (a backend runs where it can).
 * - provenance: versions of what is under test; reported when they differ, never matched.
 * - run: differs from run to run by construction (run, rep, seq, the case id), and, in a
 *   density case, which of its guests a sample came from (`guest_index`): the guests' own
 *   samples pool like repetitions, while `guests` (how many ran at once) is configuration.
 */

export type DimRole = 'configuration' | 'variant' | 'follows' | 'host' | 'provenance' | 'run';

export interface DimDef {
  role: DimRole;
  /** What a person reads in a legend or a table header. */
  label: string;
  /** A configuration dimension that describes the case's device. */
  device?: boolean;
  /**
   * A knob of the I/O path (how the host serves a device): the value, as a sample records it,
   * the report's I/O path section measures the knob's other values against.
   */
  ioPathBase?: string;
}

export const DIMENSIONS = {
  workload: { role: 'configuration', label: 'workload' },
  vcpus: { role: 'configuration', label: 'vCPUs' },
  memory_mib: { role: 'configuration', label: 'memory (MiB)' },
  io: { role: 'configuration', label: 'io', device: true },
  disk_model: { role: 'configuration', label: 'disk model', device: true },
  nic_model: { role: 'configuration', label: 'NIC model', device: true },
  net_attach: { role: 'configuration', label: 'network attachment', device: true },
  share: { role: 'configuration', label: 'shared folder', device: true, ioPathBase: 'block' },
  pinning: { role: 'configuration', label: 'CPU pinning' },
  guests: { role: 'configuration', label: 'guests at once' },
  neighbour: { role: 'configuration', label: 'noisy neighbour' },
  backend: { role: 'variant', label: 'backend' },
  guest_type: { role: 'variant', label: 'Xen guest type' },
  machine: { role: 'variant', label: 'QEMU machine type' },
  accel: { role: 'follows', label: 'accelerator' },
  cpu_model: { role: 'follows', label: 'CPU model' },
  vhost_net: { role: 'follows', label: 'vhost-net' },
  guest_hypervisor: { role: 'follows', label: 'hypervisor seen by the guest' },
  guest_clocksource: { role: 'follows', label: 'guest clocksource' },
  dom0_kernel: { role: 'follows', label: 'dom0 kernel' },
  xen_scheduler: { role: 'follows', label: 'Xen scheduler' },
  disk_driver: { role: 'follows', label: 'disk driver' },
  nic_driver: { role: 'follows', label: 'NIC driver' },
  share_fs: { role: 'follows', label: 'file system in the guest' },
  nic_queues: { role: 'follows', label: 'NIC queue pairs in use' },
  overcommit: { role: 'follows', label: 'overcommitted (guest larger than its host)' },
  event_source: { role: 'follows', label: 'event counter source' },
  host: { role: 'host', label: 'host' },
  host_kind: { role: 'host', label: 'host kind' },
  host_cpu: { role: 'host', label: 'host CPU' },
  suite: { role: 'provenance', label: 'suite' },
  image: { role: 'provenance', label: 'guest image' },
  initrd: { role: 'provenance', label: 'initrd' },
  guest_kernel: { role: 'provenance', label: 'guest kernel' },
  qemu: { role: 'provenance', label: 'QEMU' },
  xen: { role: 'provenance', label: 'Xen' },
  libvirt: { role: 'provenance', label: 'libvirt' },
  run: { role: 'run', label: 'run' },
  rep: { role: 'run', label: 'repetition' },
  seq: { role: 'run', label: 'sequence' },
  case: { role: 'run', label: 'case' },
  guest_index: { role: 'run', label: 'guest of a density case' },
} as const satisfies Readonly<Record<string, DimDef>>;

/** The name of a catalogued dimension: what a backend may declare (its fact and variant dimensions). */
export type DimName = keyof typeof DIMENSIONS;

/** Whether `dim` is in the catalogue (workload parameters, `param.<name>`, are not). */
export function isCatalogued(dim: string): dim is DimName {
  return Object.hasOwn(DIMENSIONS, dim);
}

/**
 * Workload parameters (`param.<name>`) are configuration; `param.io` and `param.device` describe
 * the device, and so does the disk I/O path (`aio`, `cache`, `iothread`, `queues`) and the
 * shared folder's transport (`share`, 9p's `msize`): native, with no device, stays the
 * reference for every path and every share.
 */
const DEVICE_PARAMS = new Set(['param.io', 'param.device', 'param.aio', 'param.cache', 'param.iothread', 'param.queues', 'param.share', 'param.msize']);

/**
 * Workload parameters that are knobs of the I/O path, with the value each is measured against:
 * the default path (aio threads, cache none, no iothread), one queue, the VMM's own virtio-net loop.
 */
const IO_PATH_PARAMS: Readonly<Record<string, string>> = {
  'param.aio': 'threads',
  'param.cache': 'none',
  'param.iothread': 'false',
  'param.queues': '1',
  'param.vhost': 'off',
};

/** The definition of a dimension. One not in the catalogue is configuration: it is matched, never silently pooled. */
export function dimDef(dim: string): DimDef {
  if (isCatalogued(dim)) return DIMENSIONS[dim];
  if (dim.startsWith('param.')) {
    const base = IO_PATH_PARAMS[dim];
    return {
      role: 'configuration',
      label: dim.slice(6),
      ...(DEVICE_PARAMS.has(dim) ? { device: true } : {}),
      ...(base === undefined ? {} : { ioPathBase: base }),
    };
  }
  return { role: 'configuration', label: dim };
}

export function roleOf(dim: string): DimRole {
  return dimDef(dim).role;
}

function dimsOfRole(role: DimRole): string[] {
  return Object.entries(DIMENSIONS as Record<string, DimDef>).flatMap(([name, def]) => (def.role === role ? [name] : []));
}

/** The variant dimensions, in the order a label names them. */
export const VARIANT_DIMS: readonly string[] = dimsOfRole('variant');
/** The provenance dimensions (reported when they differ between the sides of a comparison). */
export const PROVENANCE_DIMS: readonly string[] = dimsOfRole('provenance');
/** The run-specific dimensions. */
export const RUN_DIMS: readonly string[] = dimsOfRole('run');

/** `tcg`, `xen pvh`: the variant a sample belongs to. */
export function variantOf(dims: Dims): string {
  return (
    VARIANT_DIMS.filter((d) => dims[d] !== undefined)
      .map((d) => String(dims[d]))
      .join(' ') || 'unknown'
  );
}

/**
 * What tells a variant apart from the other variants of its backend (`pvh`, `microvm`), or
 * undefined for the backend's plain variant; with the label of the dimension(s) it comes from.
 */
export function subVariantOf(dims: Dims): { value: string; label: string } | undefined {
  const present = VARIANT_DIMS.filter((d) => d !== 'backend' && dims[d] !== undefined);
  if (present.length === 0) return undefined;
  return { value: present.map((d) => String(dims[d])).join(' '), label: present.map((d) => dimDef(d).label).join(' / ') };
}

/** The I/O path knob a dimension is, with the value it is measured against; undefined for any other dimension. */
export function ioPathKnob(dim: string): { label: string; base: string } | undefined {
  const def = dimDef(dim);
  return def.ioPathBase === undefined ? undefined : { label: def.label, base: def.ioPathBase };
}

/** Whether a configuration dimension describes the case's device. */
export function isDeviceDim(dim: string): boolean {
  return dimDef(dim).device === true;
}

/**
 * How a comparison treats the dimensions:
 * - `runs`: run against baseline; configuration, variant and host dims are matched.
 * - `within`: variants of one run side by side; configuration is matched, the variant
 *   dimensions tell the sides apart, host dims follow the variant.
 */
export type MatchMode = 'runs' | 'within';

/** Whether a dimension is part of a series' identity in this mode (the user's `ignore` aside). */
export function isMatched(dim: string, mode: MatchMode): boolean {
  const role = roleOf(dim);
  if (role === 'configuration' || role === 'variant') return true;
  return role === 'host' && mode === 'runs';
}

/** Whether a dimension is shown with a series as a fact (follows, or host within a run). */
export function isFact(dim: string, mode: MatchMode): boolean {
  const role = roleOf(dim);
  return role === 'follows' || (role === 'host' && mode === 'within');
}
