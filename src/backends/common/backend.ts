import type { BackendDevices } from '../../devices/capabilities.ts';
import type { DiskPath } from '../../devices/models.ts';
import type { DimName } from '../../dims/catalogue.ts';
import type { GuestImage } from '../../guest/image.ts';
import type { Host } from '../../hosts/host.ts';

/** Backend-neutral description of one VM. Each backend compiles it to its own form. */
export interface VmSpec {
  /** Short name used for files and logs, e.g. `cpu-r1`. */
  name: string;
  vcpus: number;
  memoryMiB: number;
  kernel: string;
  initramfs: string;
  /** Kernel command line without the console argument (the backend adds it). */
  cmdline: string;
  disks: DiskSpec[];
  nics: NicSpec[];
  /** Host folders shared into the guest (virtiofs, 9p; native's own folder). Absent: none. */
  shares?: ShareSpec[];
  /**
   * The run counts this VM's events (`run --count-events`): a backend whose counting must be
   * running before the first step (a perf recording) starts it at launch. `source`: the
   * source asked for, used by a backend that has it.
   */
  countEvents?: { source?: EventSourceChoice };
  /** Which console the guest writes its framed lines to. */
  console: 'serial' | 'xen';
  /**
   * The value of the backend's variant axis for this VM (Backend.variants): Xen's guest
   * type, QEMU's machine type. Absent: the backend's implicit or first default value.
   */
  variant?: string;
  /**
   * Host CPUs to pin to: vCPU i on `vcpus[i]`, the VMM's other threads on `vmm` (the suite's
   * `pinning`, resolved for the host at planning). Absent: not pinned.
   */
  pinning?: { vcpus: number[]; vmm: number[] };
}

export interface DiskSpec {
  id: string;
  path: string;
  format: 'raw' | 'qcow2';
  /** Device model, e.g. virtio-blk, ide, ahci, nvme, virtio-scsi. */
  model: string;
  readonly?: boolean;
  /**
   * The disk I/O path: how the host serves its I/O (aio, cache, iothread, queues); absent:
   * the backend's default path. (`path` is the file.)
   */
  ioPath?: DiskPath;
}

export interface NicSpec {
  id: string;
  /** Device model, e.g. virtio-net, e1000, rtl8139. */
  model: string;
  /** How the NIC reaches the host side. */
  attach: { kind: 'user'; hostForwards?: { hostPort: number; guestPort: number }[] } | { kind: 'tap'; ifname: string } | { kind: 'bridge'; bridge: string };
  /** vhost-net asked for by the case (planning checked the backend offers it); absent: the backend's choice. */
  vhost?: 'on' | 'off';
  /** Queue pairs of a multi-queue NIC (planning checked the backend offers it); absent: one. */
  queues?: number;
}

/** A folder of the VMM's host shared into the guest, which mounts it by its tag. */
export interface ShareSpec {
  /** The mount tag the guest names it by (also the QEMU id of its devices). */
  tag: string;
  /** The folder on the host that runs the VMM. */
  path: string;
  /** `virtiofs`, `9p`, or `host-dir` (native: the run works in the folder itself). */
  model: string;
}

/** What probe() found, from evidence. */
export interface Capability {
  backend: string;
  available: boolean;
  /** One line a person can act on: what works, or why not. */
  reason: string;
  /** Facts found on the way (versions, paths), recorded as provenance. */
  facts: Record<string, string>;
  /** When not available and there is a known fix: how to make it available. */
  hint?: string;
}

/** Why a VM stopped. */
export type VmExit =
  | {
      kind: 'shutdown';
      reason: string;
      /** The VMM's own word for it when it gave one, e.g. QEMU's `guest-shutdown`, `guest-reset`. */
      cause?: string;
    }
  | { kind: 'exited'; exitCode: number | null; signal: string | null }
  | { kind: 'killed'; reason: string };

/** Host-side cost of one VM, read from the VMM process. */
export interface VmmUsage {
  pid: number;
  cpuUserS: number;
  cpuSystemS: number;
  peakRssKiB: number;
}

export interface RunningVm {
  pid: number;
  /** The accelerator the VMM confirms it is using (never the requested one). */
  accel: string;
  /** Console bytes as they arrive, decoded as UTF-8 text chunks. */
  onConsole(listener: (chunk: string) => void): void;
  /** Resolves when the guest powered off, the VMM exited, or kill() was called. */
  wait(): Promise<VmExit>;
  /** Stops the VM and its whole process group; idempotent. */
  kill(reason: string): Promise<void>;
  /** The VMM's usage; exact when read after the guest stopped and before kill(). */
  usage(): Promise<VmmUsage | undefined>;
  /** Everything the VMM printed on stderr (not the guest console). */
  vmmLog(): string;
  /** Dimensions this launch decided, for every sample of the boot (e.g. KVM's `vhost_net`, `cpu_model`). */
  dims?: Record<string, string | number | boolean>;
  /**
   * What the VMM says it gave the guest, read from it while the guest runs (QEMU: the disks'
   * cache mode over QMP), for the case's equivalence manifest (src/results/manifest.ts).
   */
  readBack?(): Promise<Record<string, string>>;
  /**
   * Releases a density case's start barrier in this guest: writes the line `go <token>` to
   * its console input (natively to the run's barrier pipe), which the agent waits for after
   * its `barrier=waiting` fact. Absent, or throwing with the reason: this VM takes no input.
   */
  release?(token: string): Promise<void>;
  /**
   * The VM's event counters as its host keeps them right now (KVM's per-VM debugfs stats,
   * QEMU TCG's translator statistics, a native run's page faults and context switches), for `run --count-events`.
   * Absent: the backend cannot count. Throws with the reason when counting fails here.
   */
  countEvents?(): Promise<EventCounts>;
}

/**
 * The event sources a run may ask for (`run --count-events <source>`), where a backend has a
 * choice: KVM's per-VM debugfs statistics, or `perf kvm stat record/report`.
 */
export const EVENT_SOURCE_CHOICES = ['kvm-debugfs', 'perf-kvm-stat'] as const;
export type EventSourceChoice = (typeof EVENT_SOURCE_CHOICES)[number];

/** Monotonic counters of one VM, read at one instant. */
export interface EventCounts {
  /** Where they come from: `kvm-debugfs`, `qemu-jit`, `proc-rusage`, … (the dimension `event_source`). */
  source: string;
  /** Counter name (`io_exits`, `tb_flushes`, …) → its value since the VM started. */
  counts: Record<string, number>;
  /**
   * When the counters were taken (local clock, ms), where that is not when they were asked
   * for: a perf recording closes its segment when signalled and summarises it later.
   */
  at?: number;
}

/** How a probe may be asked to work. Backends ignore what does not concern them. */
export interface ProbeOptions {
  /** Ignore cached evidence (e.g. KVM's canary verdict) and gather it again. */
  recheck?: boolean;
  /** The guest image a canary boots; default: the image last built for this source tree. */
  image?: GuestImage;
  /** Progress lines for a person waiting (e.g. "booting a canary guest"). */
  log?: (line: string) => void;
}

/**
 * Values of one dimension that each make a case of their own on a backend, like the
 * backend itself (role `variant` in the dimension catalogue): Xen's guest types, QEMU's
 * machine types. A suite chooses them with `suiteField`, the command line with `--<option>`.
 */
export interface VariantAxis {
  /** The sample dimension, e.g. `guest_type`, `machine` (role `variant` in the catalogue). */
  dim: DimName;
  /** What one value is called in messages, e.g. "Xen guest type". */
  label: string;
  /** The suite field that lists the values, e.g. `xenTypes`, `machines`. */
  suiteField: string;
  /** The command-line option of `run` and `list`, without dashes, e.g. `xen-type`. */
  option: string;
  values: readonly string[];
  /** What a suite runs when it names no value. */
  defaults: readonly string[];
  /**
   * The value that needs no name: its cases keep the backend's plain id (`tcg/cpu`) and
   * its samples carry no dimension, as before the axis existed. Absent: every value is named.
   */
  implicit?: string;
}

/**
 * How a case's NIC reaches its peers:
 * - `host-netns`: a tap in a network namespace hvbench makes on the host that runs the
 *   VMM, local or over SSH, with the peers inside it (the VMM runs in it too);
 * - `host-bridge`: a bridge and peers of the case's own on the host that runs the guest
 *   (Xen: in dom0);
 * - `none`: the backend has no NICs.
 */
export type NetworkAttachment = 'host-netns' | 'host-bridge' | 'none';

/** Something a killed hvbench left behind that belongs to a backend (a VMM process, its folder). */
export interface BackendLeftover {
  /** Its kind in `doctor --json`, e.g. `qemu-process`, `vm-folder`. */
  kind: string;
  /** What it is, for a person: `QEMU process 123 in /tmp/hvbench-cpu-AbC123 (its hvbench, process 456, is gone)`. */
  what: string;
  /** The facts behind `what`, for `doctor --json` (e.g. `pid`, `path`); never `kind` or `what`. */
  facts: Readonly<Record<string, string | number | boolean | null>>;
  /**
   * Removes it, checking again first: `removed` says what went, `problem` why it could not;
   * neither when on that second look it is no longer a leftover (a pid now names another process).
   */
  remove(): Promise<{ removed?: string; problem?: string }>;
}

/**
 * How a backend finds what its killed runs left on the machine hvbench runs on (doctor
 * lists, clean removes). `found` in the order things must be removed (a process before its
 * folder); `skipped`: what carries hvbench's mark but is not ours to touch, and why.
 */
export interface LeftoverFinder {
  find(o: { tmpDir: string; now?: number }): Promise<{ found: BackendLeftover[]; skipped: { what: string; why: string }[] }>;
}

export interface Backend {
  name: string;
  /** Its name in sentences, e.g. `Xen`, `QEMU TCG` (default: `name`). */
  label?: string;
  /** Its variants (Xen guest types, QEMU machine types), when it has any. */
  variants?: VariantAxis;
  /** The devices it attaches for each I/O class, for one variant (absent: the default). */
  devices(variant?: string): BackendDevices;
  network: NetworkAttachment;
  /** Where a `host-bridge` attachment puts the bridge, for messages, e.g. `in dom0`. */
  bridgeWhere?: string;
  /**
   * Whether it opens a case's disk file with O_DIRECT for this cache mode (undefined: the
   * default mode). The file's folder must then take O_DIRECT (ramfs never does, tmpfs not
   * before Linux 6.6): a remote host whose scratch folder cannot skips such cases at planning.
   * Absent: never (Xen's blkback reads the file through a loop device).
   */
  diskDirectIo?(cache: string | undefined): boolean;
  /**
   * Its VMs offer RunningVm.release, so it can run density cases (N guests behind a start
   * barrier); absent: those cases are skipped with the reason.
   */
  startBarrier?: boolean;
  /**
   * The memory, in MiB, this backend's guests can still take on `host` (0: unknown), which
   * density cases are checked against before a run. Absent: the host's MemAvailable, for
   * backends whose guests are the host's own processes.
   */
  memoryAvailableMiB?(host: Host): Promise<number>;
  /** Probe facts that become dimensions of every sample (names from src/dims/catalogue.ts). */
  factDims: readonly DimName[];
  /** What its killed runs leave behind, for `doctor` and `clean`. */
  leftovers?: LeftoverFinder;
  /** Facts that go into every sample this backend produces (e.g. QEMU version). */
  probe(host: Host, options?: ProbeOptions): Promise<Capability>;
  launch(vm: VmSpec, host: Host): Promise<RunningVm>;
  /**
   * Checks what the guest reported about itself (`fact` frames, e.g. `hypervisor`,
   * `clocksource`) against this backend: returns why the guest's own view contradicts it
   * (the repetition then fails), or undefined when it agrees.
   */
  checkGuest?(facts: Readonly<Record<string, string>>): string | undefined;
}
