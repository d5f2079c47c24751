import type { ResultPromise } from 'execa';

export type HostKind = 'local' | 'remote' | 'lab';

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** Run in a new process group so the whole tree can be killed at once. */
  detached?: boolean;
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * Where commands run. Every command is an argv array; no host ever builds a shell string
 * from user values.
 */
export interface Host {
  name: string;
  kind: HostKind;
  /** Runs a command to completion. Never throws on a non-zero exit; `exitCode` tells. */
  exec(argv: string[], options?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  /** Starts a long-running process with piped stdio. */
  spawn(argv: string[], options?: SpawnOptions): ResultPromise;
  readFile(path: string): Promise<string>;
  /** Creates a private temporary directory and returns its path. */
  makeTempDir(prefix: string): Promise<string>;
  removeTree(path: string): Promise<void>;
}
