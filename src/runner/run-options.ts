import type { Backend, EventSourceChoice, NetworkAttachment } from '../backends/common/backend.ts';
import type { GuestImage } from '../guest/image.ts';
import type { Host } from '../hosts/host.ts';
import type { ShardRecord, SuiteOverrides } from '../results/run-record.ts';
import type { Sample } from '../results/sample.ts';
import type { StoredRun, WritableCheck } from '../results/store.ts';
import type { Case, ResolvedSuite } from '../suite/types.ts';
import type { Workload } from '../workloads/workload.ts';
import type { RunHost } from './case-plan.ts';
import type { NetworkProvider } from './case-setup.ts';
import type { RunObserver } from './events.ts';

export interface RunSuiteOptions {
  suite: ResolvedSuite;
  suiteFile: string;
  cases: Case[];
  outDir: string;
  image: GuestImage;
  /** The host when there is only one; it then offers every backend. Ignored when `hosts` is given. */
  host: Host;
  /** Hosts to spread the cases over (see host-assign.ts); default: `host` alone. */
  hosts?: RunHost[];
  backends: (name: string) => Backend;
  workloads: Record<string, Workload>;
  observer?: RunObserver;
  /** Aborted on Ctrl-C: the current VM is killed, the run is recorded as interrupted. */
  signal?: AbortSignal;
  /**
   * Opens a case's network, by the attachment its backend declares (Backend.network):
   * `host-netns` in a namespace on the host that runs the guest, local or remote (default:
   * QEMU user-mode networking, without peers),
   * `host-bridge` on the host that runs the guest (Xen: in dom0; without it such network
   * cases fail with why).
   */
  networks?: Partial<Record<NetworkAttachment, NetworkProvider>>;
  /** Command-line choices that changed the suite's cases, recorded in run.json for `--resume`. */
  suiteOverrides?: SuiteOverrides;
  /**
   * Go on with this stored run instead of making a new one (`run --resume`, see resume.ts):
   * `cases` are its cases in its order; completed ones are kept, the others run again.
   */
  resume?: StoredRun;
  /** Stop at the first case that fails or times out; the cases not run are recorded as skipped, with the reason. */
  failFast?: boolean;
  /** The part of a split suite `cases` are (`run --shard i/N`, shard.ts), recorded in run.json for `hvbench merge`. */
  shard?: ShardRecord;
  /**
   * How many times a case may run a repetition again whose guest stopped by itself (a reset,
   * a panic, the VMM exiting) before its job was done. Default 0. Steps that fail, timeouts and
   * interruptions are never retried; every lost attempt stays in the case record.
   */
  retryCrashed?: number;
  /**
   * Count each VM's events (VM exits by reason, TCG's translator statistics, native page faults and context switches)
   * around every step, as `events.<step>.<counter>_per_s` samples (event-windows.ts). Off by
   * default: then nothing is read and nothing changes. A source name (EVENT_SOURCE_CHOICES):
   * count, and with that source where a backend has a choice.
   */
  countEvents?: boolean | EventSourceChoice;
  /** How the results folder is checked before measuring (free space). */
  writable?: WritableCheck;
  /**
   * `run --stabilize`: set each host's governor, turbo and THP for the run and put them back
   * at its end (src/tuning/stabilize.ts). The host state is read and recorded either way.
   */
  stabilize?: boolean;
  /** Lines saying what stabilising changed and left (stderr of `hvbench run`). */
  tuningLog?: (line: string) => void;
}

export interface RunSuiteResult {
  run: StoredRun;
  samples: Sample[];
}
