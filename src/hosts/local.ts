import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import type { Duplex } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { HvbError } from '../util/errors.ts';
import type { ExecResult, Host, HostKind, SpawnOptions } from './host.ts';
import { toExecResult } from './exec-result.ts';

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

  spawn(argv: string[], options: SpawnOptions = {}): ResultPromise {
    const [file, args] = splitArgv(argv);
    return execa(file, args, {
      reject: false,
      // The caller reads stdout/stderr as streams; nothing is kept in memory here.
      buffer: false,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      detached: options.detached ?? false,
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
  }

  readFile(path: string): Promise<string> {
    return readFile(path, 'utf8');
  }

  async makeTempDir(prefix: string): Promise<string> {
    if (prefix.includes('/')) {
      throw new HvbError('invalid-argument', `temporary directory prefix must not contain "/": got "${prefix}"`);
    }
    // mkdtemp creates the directory with mode 0700: private to this user.
    return mkdtemp(join(tmpdir(), prefix));
  }

  removeTree(path: string): Promise<void> {
    return rm(path, { recursive: true, force: true });
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
