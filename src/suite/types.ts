import type { EventSourceChoice } from '../backends/common/backend.ts';
import type { CompareConfig } from '../stats/thresholds.ts';
import type { Workload } from '../workloads/workload.ts';

/**
 * The guest every case boots. Each field is one value or a non-empty array of distinct
 * values (an axis, like a workload parameter's): every workload entry runs once per vCPU
 * count × memory size, and a workload parameter written `'vcpus'` (e.g. `threads: 'vcpus'`)
 * takes the case's vCPU count.
 */
export interface GuestInput {
  /** Virtual CPUs, an integer from 1 to 255, or an axis of them. Default {@link DEFAULT_VCPUS} (1). */
  vcpus?: number | number[];
  /** Guest memory in MiB, an integer ≥ 64, or an axis of them. Default {@link DEFAULT_MEMORY_MIB} (512). */
  memoryMiB?: number | number[];
}

/**
 * Where the guest's vCPUs and the VMM's other threads run on the host:
 * - `none`: wherever the host's scheduler puts them;
 * - `auto`: from the host's topology, one CPU per physical core away from CPU 0's core,
 *   vCPUs first, the VMM on the cores that remain (or CPU 0); a case is skipped on a host
 *   with fewer physical cores than vCPUs + 1;
 * - `{ vcpus, vmm? }`: vCPU i on CPU `vcpus[i]`, the VMM's other threads on `vmm`
 *   (default: every online CPU not in `vcpus`). With a vCPU axis, `vcpus` names CPUs for
 *   the largest guest and a guest of n vCPUs takes the first n.
 */
export type PinningInput = 'none' | 'auto' | { vcpus: number[]; vmm?: number[] };

/** One entry of `workloads`: a workload by name and its parameters (values or axes). */
export interface WorkloadEntryInput {
  /** Name of a known workload, e.g. `cpu`, `memory`, `disk`, `net`, `boot`, `micro`. */
  workload: string;
  /**
   * Parameters of the workload. Each is one value, or a non-empty array of values (a
   * matrix axis: the entry runs once per value, every axis crossed with every other).
   * A parameter whose own value is an array is written as an array of arrays:
   * `sizes: [[4, 64]]` is the one value `[4, 64]`. Values are checked against the
   * workload's own schema after the axes are expanded; omitted parameters take the
   * workload's defaults. Default `{}`.
   */
  params?: Record<string, unknown>;
  /**
   * A density case: this many identical guests (1–64) boot at once on one host and run the
   * same job together, released by a shared start barrier; or an axis of counts (`[1, 2, 4]`).
   * Samples then carry `guests` (and `guest_index` for each guest's own), plus aggregates of
   * the workload's headline metric over the guests. The guests' memory together must fit the
   * host's available memory unless the suite sets `overcommit: true`. Absent: one guest, no barrier.
   */
  guests?: number | number[];
  /**
   * A noisy neighbour in a density case: guest 0 runs a stress-ng CPU load (one worker per
   * vCPU) for as long as the others run the workload, and only the others are measured.
   * Needs `guests` of 2 or more. Absent: every guest runs the workload.
   */
  neighbour?: 'stress';
}

/** A suite as written in a suite file (user options: every field but two is optional). */
export interface SuiteInput {
  /** Suite name, `[a-z0-9-]+`; it appears in run ids and reports. Required. */
  name: string;
  /** One line saying what the suite measures. Default `''`. */
  description?: string;
  /** The guest every case boots, or the axes of its shape. Default `{ vcpus: 1, memoryMiB: 512 }`. */
  guest?: GuestInput;
  /**
   * Run guests larger than their host (more vCPUs than the host has CPUs, more memory than
   * it has): refused before the run starts unless this is true; the cases that do are
   * recorded with the dimension `overcommit`. Default false.
   */
  overcommit?: boolean;
  /**
   * Count each VM's events around every step, as `hvbench run --count-events` does (KVM
   * exits, TCG translator statistics, native page faults and context switches; docs/overhead.md). Default false.
   * A source name (`'perf-kvm-stat'`, `'kvm-debugfs'`): count, with that source where a
   * backend has a choice.
   */
  countEvents?: boolean | EventSourceChoice;
  /** Backend names, each at most once, e.g. `['tcg', 'kvm']`. Default `['tcg']`. */
  backends?: string[];
  /** Measured repetitions per case, an integer ≥ 1. Default {@link DEFAULT_REPETITIONS} (3). */
  repetitions?: number;
  /** Warm-up repetitions per case, run and discarded, an integer ≥ 0. Default 0. */
  warmup?: number;
  /** Cap in seconds for one repetition of a case; when absent the runner derives it. */
  timeoutSec?: number;
  /**
   * Repeat beyond `repetitions`, up to this many, until the 95 % CI half-width of
   * `stopMetric` is below `targetCiHalfWidth` (relative, e.g. 0.02 = ±2 %) or the case's
   * measured repetitions took `timeBudgetSec`. Default: exactly `repetitions`.
   */
  maxRepetitions?: number;
  targetCiHalfWidth?: number;
  timeBudgetSec?: number;
  /** The metric that drives the stopping rule. Default: the workload's first metric. */
  stopMetric?: string;
  /** Alternate the repetitions of cases that differ only in their backend (A B A B …). Default true. */
  interleave?: boolean;
  /** CPU pinning of the guest's vCPUs and the VMM's threads ({@link PinningInput}). Default `'none'`. */
  pinning?: PinningInput;
  /** Thresholds of `hvbench compare`: `{ alpha?, noiseThreshold?, metrics?: { [metric]: { alpha?, noiseThreshold? } } }`. */
  compare?: CompareConfig;
  /**
   * Variants of a backend, each a case of its own, under the field its backend declares
   * (Backend.variants): `xenTypes` for Xen's guest types (`xen:pv/cpu`, …: `pv`, `pvh`,
   * `hvm`; default `['pvh']`), `machines` for QEMU's machine types (`tcg:microvm/cpu`;
   * default `['pc']`, whose cases keep their plain ids). See `hvbench list --help`.
   */
  [variantField: string]: unknown;
  /**
   * Hosts to run on, by name: `local`, hosts from the hosts file, or a running lab
   * (`lab-kvm`, `lab-xen`). Each case goes to a host that offers its backend. Default:
   * `--host` on the command line, else `['local']`.
   */
  hosts?: string[];
  /** What to run: a non-empty list of workload entries. Required. */
  workloads: WorkloadEntryInput[];
}

/** The guest of one case: one vCPU count and one memory size. */
export interface ResolvedGuest {
  vcpus: number;
  memoryMiB: number;
}

/**
 * The guest of a resolved suite, as written with the defaults filled in: a field written
 * as one number stays a number (so the suites and runs recorded before the axes existed
 * resolve as they did), an axis stays an array.
 */
export interface ResolvedGuestShape {
  vcpus: number | number[];
  memoryMiB: number | number[];
}

/** A workload entry with every parameter written as an axis (a one-value axis for a plain value). */
export interface ResolvedWorkloadEntry {
  workload: string;
  /** Parameter name → its values, in the order written. Only the parameters the suite sets. */
  params: Record<string, unknown[]>;
  /** Guest counts of a density entry, as written; absent: an ordinary entry. */
  guests?: number[];
  /** Guest 0 of each density case is a noisy neighbour (runner/density-neighbour.ts). */
  neighbour?: 'stress';
}

/** A validated suite with every field present (except `timeoutSec`, which may stay unset). */
export interface ResolvedSuite {
  name: string;
  description: string;
  guest: ResolvedGuestShape;
  /** Present when the suite names it. */
  overcommit?: boolean;
  /** Present when the suite names it. */
  countEvents?: boolean | EventSourceChoice;
  backends: string[];
  repetitions: number;
  warmup: number;
  /** Absent: the runner derives the cap from the workload's expected time. */
  timeoutSec?: number;
  maxRepetitions?: number;
  targetCiHalfWidth?: number;
  timeBudgetSec?: number;
  stopMetric?: string;
  interleave: boolean;
  /** Absent when the suite does not name it (unpinned), so runs recorded before the field resume unchanged. */
  pinning?: PinningInput;
  compare?: CompareConfig;
  /**
   * Chosen values of each variant axis, under its suite field (`xenTypes`, `machines`):
   * an axis without an implicit value is always present (its defaults filled in); one with
   * an implicit value (QEMU's `pc`) only when the suite or the command line names values.
   */
  [variantField: string]: unknown;
  hosts?: string[];
  workloads: ResolvedWorkloadEntry[];
}

/** A case's variant: `{ dim: 'guest_type', value: 'pv' }`. */
export interface CaseVariant {
  dim: string;
  value: string;
}

/** One cell of the matrix: one backend, one workload, one combination of parameters. */
export interface Case {
  /**
   * Stable id: `<backend>/<workload>[/<key>=<value>,…]`: the guest's axes first
   * (`guest.vcpus=2`, only for a field the suite writes as an array), then the suite's
   * params sorted by key.
   */
  id: string;
  backend: string;
  /**
   * The value of the backend's variant axis (Xen's guest type, QEMU's machine type) and the
   * dimension it is recorded as; like the backend itself, not part of the group key.
   * Absent: the backend has no axis, or the case runs its implicit value.
   */
  variant?: CaseVariant;
  workload: string;
  /** Every parameter of the workload, defaults filled in by the workload's schema. */
  params: Record<string, unknown>;
  guest: ResolvedGuest;
  /** A density case: how many guests boot at once (runner/density.ts); absent: one, without a barrier. */
  guests?: number;
  /** Guest 0 of the density case runs a stress-ng load instead of the workload; absent: none. */
  neighbour?: 'stress';
  repetitions: number;
  warmup: number;
  timeoutSec?: number;
}

/** What the suite layer needs to know about the rest of hvbench; passed in by the caller. */
export interface SuiteDeps {
  /** Known workloads by name. */
  workloads: Record<string, Workload>;
  /** Names of the known backends. */
  backends: readonly string[];
}
