import { HvbError } from '../util/errors.ts';

/**
 * What `results/<run-id>/run.json` holds: everything needed to understand and redo a
 * run, rewritten after every case. The samples themselves live in `samples.jsonl`.
 */

/** Version of the run.json layout; bumped when a field changes meaning. */
export const RUN_FORMAT = 1;

/** `running` until the run ends; `interrupted` when stopped by a signal or cut short. */
export type RunStatus = 'running' | 'completed' | 'interrupted' | 'failed';

export type CaseStatus = 'pending' | 'completed' | 'failed' | 'timed-out' | 'skipped';

/** Facts about a machine that ran cases (or the one hvbench ran on). */
export interface HostFacts {
  /** hvbench's name for the host: `local`, or the name of a remote host or lab. */
  name: string;
  hostname: string;
  cpuModel: string;
  /** Logical CPUs the OS sees. */
  cpus: number;
  /** Physical cores, when /proc/cpuinfo tells. */
  cores?: number;
  memoryMiB: number;
  /** Kernel release, e.g. `6.1.0-18-amd64`. */
  kernel: string;
  /** Distribution name, e.g. `Debian GNU/Linux 12 (bookworm)`. */
  os: string;
  arch: string;
  /** Hardware virtualisation the CPU offers: `vmx` (Intel VT-x), `svm` (AMD-V) or `none`. */
  virtualization: 'vmx' | 'svm' | 'none';
  /** True when the host is itself a virtual machine (the CPU's `hypervisor` flag). */
  underHypervisor: boolean;
  /** `local`, `remote` (over SSH) or `lab` (a nested host under emulation: functional figures only). */
  kind?: 'local' | 'remote' | 'lab';
  /** The host's state for benchmarking around the run (src/tuning/): absent in runs before it was recorded. */
  tuning?: HostTuningRecord;
}

// Host state for benchmarking (written by src/tuning/run-hosts.ts) ---------------------------

/** The busy-host check of a host: how many repetitions it checked, and those above the threshold. */
export interface BusyHostRecord {
  /** Average CPUs other processes may use during a repetition before it is flagged. */
  thresholdCpus: number;
  checked: number;
  flagged: { caseId: string; rep: number; warmup: boolean; seq?: number; wallS: number; otherCpuS: number }[];
}

/** What each setting of a host's profile is called wherever it is shown (doctor, run, the report). */
export const SETTING_LABELS = {
  governor: 'CPU frequency governor',
  turbo: 'turbo / boost',
  smt: 'SMT (hyper-threading)',
  thp: 'transparent huge pages',
  thpDefrag: 'THP defrag',
  cpuidle: 'cpuidle driver',
  maxCstate: 'intel_idle max_cstate',
  irqbalance: 'irqbalance',
  swap: 'swap',
  swappiness: 'vm.swappiness',
  numa: 'NUMA nodes',
} as const;

/** One setting of a host's profile: its value (and what it was read from), or why it cannot be read there. */
export type SettingReading = { value: string; detail?: string } | { unavailable: string };

/**
 * A host's stabilisation profile (governor, turbo, SMT, THP, idle states, irqbalance, swap,
 * NUMA) read when the run started measuring and when it stopped, and what `--stabilize`
 * changed for the run. With `--stabilize` both readings are of the stabilised host: the
 * previous values are in `stabilized.changed`.
 */
export interface HostTuningRecord {
  before?: Record<string, SettingReading>;
  after?: Record<string, SettingReading>;
  /** Why a reading is missing (the host did not answer the read). */
  unreadable?: string;
  /** Repetitions during which other processes used the host's CPUs (src/tuning/busy-host.ts). */
  busy?: BusyHostRecord;
  stabilized?: {
    changed: { setting: string; path: string; previous: string; applied: string }[];
    /** Settings left as they were, and why (already right, not offered on this host, the write refused). */
    notChanged: { setting: string; why: string }[];
    /** True once every changed value was written back. */
    restored?: boolean;
    /** Values that could not be written back (a restore record is left for `hvbench clean`). */
    restoreProblems?: string[];
  };
}

/** The guest image every case booted. */
export interface ImageFacts {
  /** Manifest id: content id of the image's inputs. */
  id: string;
  /** Short hash of the kernel and initramfs bytes, also in every sample. */
  hash: string;
  kernelVersion?: string;
}

/** What probing a backend on a host found (its answer to "can you run here?"). */
export interface BackendFacts {
  backend: string;
  host: string;
  available: boolean;
  reason: string;
  /** e.g. `{ qemuVersion: '8.2.2' }`. */
  facts: Record<string, string>;
}

/** Host-side cost of the VMM during one repetition. */
export interface RepetitionUsage {
  /** 1-based repetition number; warm-ups are numbered separately. */
  rep: number;
  /** Position of this repetition in the run's order (interleaved across backends). */
  seq?: number;
  warmup: boolean;
  /** The accelerator the VMM confirmed (never the one requested). */
  accel?: string;
  wallS?: number;
  cpuUserS: number;
  cpuSystemS: number;
  peakRssKiB: number;
}

/** Why a case failed, timed out or was skipped; why a run failed. */
export interface ErrorInfo {
  message: string;
  /** HvbError code, when there is one. */
  code?: string;
  hint?: string;
  /** Message of the underlying error, when there is one. */
  cause?: string;
}

/**
 * A setup command run again because ssh lost it (exit 255, nothing said; src/hosts/remote-retry.ts).
 * Only idempotent setup commands are retried, never a measured step.
 */
export interface SetupRetry {
  at: string;
  host: string;
  /** The program run again, e.g. `mkdir`, `dd`, `qemu-img`. */
  command: string;
  /** Which attempt ssh lost (1 = the first). */
  attempt: number;
  /** What the runner was doing: `inspection`, `setup` (devices), `warm-up 1`, `repetition 2`. */
  during: string;
}

/**
 * A repetition whose guest stopped by itself and that `run --retry-crashed` ran again. What it
 * measured before it stopped (its boot, the VMM's usage) stays here rather than in the samples,
 * which hold one set of values per repetition.
 */
export interface LostAttempt {
  at: string;
  /** `warm-up 1`, `repetition 2`. */
  during: string;
  /** Why it stopped, as a failed repetition would say it. */
  error: string;
  /** Its guest log, relative to the run folder. */
  logFile: string;
  /** Metric name to value, for what it measured before it stopped. */
  values: Record<string, number>;
}

export interface CaseRecord {
  id: string;
  backend: string;
  workload: string;
  params: Record<string, unknown>;
  status: CaseStatus;
  /** Planned measured repetitions and warm-ups. */
  repetitions: number;
  warmup: number;
  /** Measured repetitions finished (warm-ups not counted). */
  repetitionsDone: number;
  /** Name of the host that ran it (see `hosts`). */
  host?: string;
  startedAt?: string;
  endedAt?: string;
  error?: ErrorInfo;
  /** The last lines the guest printed, kept when the case did not complete. */
  guestLogTail?: string[];
  /** Files under `logs/` written for this case, relative to the run folder. */
  logs?: string[];
  usage: RepetitionUsage[];
  /** Setup commands of this case run again after ssh lost them, oldest first. */
  retries?: SetupRetry[];
  /** Repetitions whose guest stopped by itself and that were run again (`run --retry-crashed`). */
  lostAttempts?: LostAttempt[];
  /** What the case's guest actually got, read back on its first boot; absent in runs before it was recorded. */
  manifest?: CaseManifest;
}

/**
 * The equivalence manifest of a case (src/results/manifest.ts): what its guest actually got,
 * read back on every boot rather than taken from the spec (vCPUs, topology, memory, the disk's
 * cache mode and queues, the NIC's queues and offloads, the kernel command line, the clock
 * source, the image), and a hash over it.
 */
export interface CaseManifest {
  /** Field name to value as read back, keys in sorted order. */
  fields: Record<string, string>;
  /** Short sha256 over the fields in sorted key order. */
  hash: string;
  /** Boots whose manifest differed from the first one read, with the fields that differed. */
  changed?: { rep: number; warmup: boolean; hash: string; fields: string[] }[];
}

export interface RunRecord {
  format: typeof RUN_FORMAT;
  /** `YYYYMMDD-HHMMSS-<suite>-<4 hex>`, UTC; also the folder name. */
  id: string;
  status: RunStatus;
  startedAt: string;
  endedAt?: string;
  /**
   * The suite by name and file, and as resolved (every default filled in, command-line
   * overrides applied); `overrides` are those command-line choices, so a resumed run can
   * resolve the same suite again.
   */
  suite: { name: string; file: string; resolved: object; overrides?: SuiteOverrides };
  hvbench: { version: string; revision: string; dirty?: boolean };
  hosts: HostFacts[];
  image?: ImageFacts;
  backends: BackendFacts[];
  cases: CaseRecord[];
  /** The samples file, relative to the run folder. */
  samplesFile: string;
  /** The process writing the run: tells a crashed run (`running`, process gone) from a live one. */
  writer: { hostname: string; pid: number };
  error?: ErrorInfo;
  /** Each `hvbench run --resume` of this run, oldest first. */
  resumes?: ResumeRecord[];
  /** Setup commands outside any case (inspecting the hosts) run again after ssh lost them, oldest first. */
  retries?: SetupRetry[];
  /** The part of a split suite this run ran (`hvbench run --shard i/N`). */
  shard?: ShardRecord;
  /**
   * Counting asked for (`run --count-events [source]`, or the suite's `countEvents`): `true`,
   * or the source named. `run --resume` counts the same way.
   */
  countEvents?: boolean | string;
  /** A run `hvbench merge` made of the shards of one split: where each part came from. */
  merged?: MergedRecord;
}

/**
 * One shard of a suite split with `--shard i/N` (src/runner/shard.ts). Every shard of one
 * split records the same `of`, so `hvbench merge` can tell that they split the same cases and
 * that together they hold each of them exactly once.
 */
export interface ShardRecord {
  /** 1-based: `i` of `i/N`. */
  index: number;
  count: number;
  /** Groups (the same case on different backends, kept together) this shard ran: 0 when the split left it empty. */
  groups: number;
  /** The position of each of this shard's cases among the suite's cases, in order. */
  positions: number[];
  /** The whole split: the suite's cases and groups, and a digest of its case ids in order. */
  of: { cases: number; groups: number; digest: string };
}

/** Where the parts of a merged run came from: each shard's run as it was recorded. */
export interface MergedRecord {
  at: string;
  shards: MergedShard[];
}

export interface MergedShard {
  index: number;
  /** The shard's own run id (its samples carry the merged run's id now). */
  run: string;
  status: RunStatus;
  startedAt: string;
  endedAt?: string;
  hvbench: RunRecord['hvbench'];
  writer: RunRecord['writer'];
  /** The hosts that ran its cases, with their facts and host state. */
  hosts: HostFacts[];
  /** Its cases, by id. */
  cases: string[];
  samples: number;
  error?: ErrorInfo;
  resumes?: ResumeRecord[];
}

/** Command-line choices that changed the suite's cases (`hvbench run --backend …`). */
export interface SuiteOverrides {
  backends?: string[];
  repetitions?: number;
  workloads?: string[];
  /** Variant values chosen on the command line, under the suite field of their axis (`xenTypes: ['pv']`). */
  [variantField: string]: string[] | number | undefined;
}

/** One resumption of a run: when, by whom, and what it took over from before. */
export interface ResumeRecord {
  at: string;
  writer: { hostname: string; pid: number };
  /** The run's status before the resume (`interrupted`, `failed`, or `running` for a crashed run). */
  previousStatus: RunStatus;
  /** Cases run again (every case that had not completed). */
  cases: number;
  /** Measured repetitions of those cases that were complete and kept. */
  repetitionsKept: number;
  /** Lines moved from the samples file to `samplesSetAsideFile`: repetitions that had not completed. */
  samplesSetAside: number;
  samplesSetAsideFile?: string;
  /** Each case run again, as it was before. */
  previous: { id: string; status: CaseStatus; repetitionsDone: number; error?: ErrorInfo }[];
}

/** What the caller gives createRun; the store fills in format, id, status, samplesFile and writer. */
export type NewRun = Omit<RunRecord, 'format' | 'id' | 'status' | 'samplesFile' | 'writer' | 'startedAt' | 'endedAt'> & {
  startedAt?: string;
};

/** The fields of a case that a record starts from (a suite `Case` fits). */
export interface CaseLike {
  id: string;
  backend: string;
  workload: string;
  params: Record<string, unknown>;
  repetitions: number;
  warmup: number;
}

/** A pending record for a case about to be scheduled. */
export function pendingCase(c: CaseLike): CaseRecord {
  return {
    id: c.id,
    backend: c.backend,
    workload: c.workload,
    params: c.params,
    status: 'pending',
    repetitions: c.repetitions,
    warmup: c.warmup,
    repetitionsDone: 0,
    usage: [],
  };
}

/** What a record keeps of a thrown error: message, code and hint, and the cause's message. */
export function errorInfo(e: unknown): ErrorInfo {
  const info: ErrorInfo = { message: e instanceof Error ? e.message : String(e) };
  if (e instanceof HvbError) {
    info.code = e.code;
    if (e.hint) info.hint = e.hint;
  }
  const cause = e instanceof Error ? e.cause : undefined;
  if (cause !== undefined) info.cause = cause instanceof Error ? cause.message : String(cause);
  return info;
}
