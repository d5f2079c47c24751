import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { HvbError } from '../util/errors.ts';
import type { ExecResult, Host, HostKind, HostProcess, SpawnOptions } from './host.ts';
import { toExecResult } from './exec-result.ts';
import { spawnPiped } from './piped-process.ts';

// Temporary folders made here and not removed yet (VM folders, scratch disks, peer roots).
const tempDirs = new Set<string>();

/**
 * For `process.on('exit')` after a forced exit (the asynchronous clean-up that removes them
 * never runs then): removes every temporary folder a LocalHost made and nothing removed yet.
 * Call it after the processes using them were killed.
 */
export function removeTempDirsSync(): void {
  for (const dir of tempDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // On the way out: what cannot be removed stays.
    }
  }
  tempDirs.clear();
}

/** The machine hvbench itself runs on. Commands are argv arrays run with execa, never a shell. */
export class LocalHost implements Host {
  readonly kind: HostKind = 'local';

  constructor(readonly name: string = 'local') {}

  async exec(argv: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
    const [file, args] = splitArgv(argv);
    const result = await execa(file, args, {
      reject: false,
      stripFinalNewline: false,
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
    });
    return toExecResult(result, options.timeoutMs);
  }

  spawn(argv: string[], options: SpawnOptions = {}): HostProcess {
    const [file, args] = splitArgv(argv);
    return spawnPiped(file, args, { ...options, detached: options.detached ?? false });
  }

  readFile(path: string): Promise<string> {
    return readFile(path, 'utf8');
  }

  async makeTempDir(prefix: string): Promise<string> {
    if (prefix.includes('/')) {
      throw new HvbError('invalid-argument', `temporary directory prefix must not contain "/": got "${prefix}"`);
    }
    // mkdtemp creates the directory with mode 0700: private to this user.
    const dir = await mkdtemp(join(tmpdir(), prefix));
    tempDirs.add(dir);
    return dir;
  }

  async removeTree(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
    tempDirs.delete(path);
  }

  writeFile(path: string, data: string | Uint8Array): Promise<void> {
    return writeFile(path, data);
  }

  /** Local files are already here. */
  putFile(localPath: string): Promise<string> {
    return Promise.resolve(localPath);
  }

  connectUnix(path: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const onError = (cause: NodeJS.ErrnoException): void => {
        reject(new HvbError('qmp-connect-failed', `cannot connect to unix socket ${path}: ${cause.message}`, { cause }));
      };
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(socket);
      });
    });
  }

  signalGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<boolean> {
    try {
      process.kill(-pgid, signal);
      return Promise.resolve(true);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') return Promise.resolve(false);
      return Promise.reject(error);
    }
  }
}

function splitArgv(argv: string[]): [string, string[]] {
  const [file, ...args] = argv;
  if (file === undefined || file === '') {
    throw new HvbError('invalid-argument', 'cannot run an empty command: argv needs at least the program name');
  }
  return [file, args];
}
