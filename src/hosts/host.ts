import type { Duplex, Readable, Writable } from 'node:stream';

export type HostKind = 'local' | 'remote' | 'lab';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** Run in a new process group so the whole tree can be killed at once. */
  detached?: boolean;
  /**
   * With `detached` on a remote host: what is written to the local stdin reaches the
   * program's stdin too (a VMM whose console is its stdin), through the watchdog that keeps
   * the channel. Without it the remote program reads /dev/null. Locally stdin is always the
   * program's.
   */
  forwardStdin?: boolean;
  env?: Record<string, string>;
  cwd?: string;
}

/** How a spawned process ended. */
export interface ProcessExit {
  /** Its exit status; null when a signal ended it or it never ran. */
  exitCode: number | null;
  /** The signal that ended it, e.g. `SIGKILL`; null when it exited by itself. */
  signal: string | null;
  /** Why there is neither: it could not be started or was lost (e.g. `spawn qemu ENOENT`). */
  error?: string;
}

/**
 * A process started by Host.spawn, in hvbench's own terms (not the library that runs it),
 * so callers read the same fields whatever carries the process.
 */
export interface HostProcess {
  /** Its local pid; undefined when it could not be started (`exited` then says why). */
  readonly pid: number | undefined;
  /** Its stdin, a pipe; null only for a process whose stdin was given a file. */
  readonly stdin: Writable | null;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the process has ended (never rejects). */
  readonly exited: Promise<ProcessExit>;
  /** Sends a signal (default SIGKILL) to this process alone; false when it is gone. */
  kill(signal?: NodeJS.Signals): boolean;
}

/**
 * Where commands run. Every command is an argv array; no host ever builds a shell string
 * from user values.
 */
export interface Host {
  name: string;
  kind: HostKind;
  /** The libvirt connection its hosts-file entry names (absent: the libvirt backends' default). */
  readonly libvirt?: LibvirtSettings;
  /** Runs a command to completion. Never throws on a non-zero exit; `exitCode` tells. */
  exec(argv: string[], options?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  /** Starts a long-running process with piped stdio. */
  spawn(argv: string[], options?: SpawnOptions): HostProcess;
  readFile(path: string): Promise<string>;
  /** Creates a private temporary directory and returns its path. */
  makeTempDir(prefix: string): Promise<string>;
  removeTree(path: string): Promise<void>;
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  /**
   * Makes a local file available on this host and returns its path there. The local host
   * returns the path unchanged; a remote host copies the file once into its own cache,
   * keyed and checked by the file's sha256, and reuses it afterwards.
   */
  putFile(localPath: string): Promise<string>;
  /**
   * Opens a byte stream to a unix socket on this host (QMP). While the socket does not
   * exist or refuses, rejects with an HvbError `qmp-connect-failed` whose `cause.code` is
   * `ENOENT` or `ECONNREFUSED` (so callers can retry).
   */
  connectUnix(path: string): Promise<Duplex>;
  /**
   * Sends a signal to a process group on this host (a process started with
   * `detached: true` leads its own group). Resolves false when the group is gone.
   */
  signalGroup(pgid: number, signal?: NodeJS.Signals): Promise<boolean>;
}

/** How to reach a host and what it offers, from a hosts file, a suite or a lab. */
export interface HostConfig {
  name: string;
  /** `local` runs here; `remote` and `lab` are reached over OpenSSH. */
  kind: HostKind;
  /** Backends this host offers, e.g. ['kvm', 'tcg']. */
  backends: string[];
  ssh?: SshTarget;
  /**
   * Absolute folder on the host for the run's scratch disks (a private folder is made in it
   * and removed after the run). Absent: the host's temporary folder, or the first folder
   * that takes O_DIRECT (src/devices/scratch-folder.ts).
   */
  scratchDir?: string;
  /** How the libvirt backends reach libvirtd on this host (absent: `qemu:///system` there). */
  libvirt?: LibvirtSettings;
}

/** A host's libvirt connection, as virsh run on that host names it (`virsh -c <uri>`). */
export interface LibvirtSettings {
  uri: string;
}

export interface SshTarget {
  address: string;
  port?: number;
  user?: string;
  /** Private key for key authentication. */
  identityFile?: string;
  /**
   * known_hosts file with this host's pinned key. Required for `remote` hosts (never
   * `StrictHostKeyChecking=no`); a lab writes its own when it boots.
   */
  knownHostsFile?: string;
}
