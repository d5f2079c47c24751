import { execa, type ResultPromise } from 'execa';
import type { HostProcess, ProcessExit } from './host.ts';

/** What a spawned program needs besides its argv. */
export interface PipedOptions {
  /** Its own process group (see SpawnOptions.detached). */
  detached: boolean;
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * Starts a program with stdin, stdout and stderr piped and nothing kept in memory: the
 * caller reads the streams. The one way both hosts start a long-running local process
 * (the program itself, or the ssh that carries it).
 */
export function spawnPiped(file: string, args: string[], options: PipedOptions): HostProcess {
  return fromExeca(
    execa(file, args, {
      reject: false,
      buffer: false,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
      detached: options.detached,
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    }),
  );
}

/** After a process exited, how long its end waits for its output pipes to close before it is told without them. */
export const EXIT_PIPES_GRACE_MS = 3_000;

/**
 * Wraps a process started with execa (`reject: false`, piped stdout and stderr) as a
 * HostProcess: its end becomes a ProcessExit, and a failure to start (or any rejection) is
 * `error`, never a rejected promise.
 *
 * The end is execa's (the exit, and its pipes closed), or the exit alone once the pipes have
 * stayed open EXIT_PIPES_GRACE_MS after it: another process may hold them. Seen: an ssh
 * client killed while its remote command could not end (QEMU stuck in a nested lab's kernel)
 * left its channel's descriptors with the ControlMaster, which keeps them until the far end
 * closes, and the run waited for that end for ever.
 */
export function fromExeca(subprocess: ResultPromise): HostProcess {
  const { stdout, stderr } = subprocess;
  if (stdout === null || stderr === null) throw new TypeError('fromExeca: the process needs piped stdout and stderr');
  const whole = subprocess.then(
    toProcessExit,
    (error: unknown): ProcessExit => ({ exitCode: null, signal: null, error: error instanceof Error ? error.message : String(error) }),
  );
  const exitAlone = new Promise<ProcessExit>((resolve) => {
    subprocess.once('exit', (exitCode: number | null, signal: NodeJS.Signals | null) => {
      setTimeout(() => resolve({ exitCode, signal }), EXIT_PIPES_GRACE_MS).unref();
    });
  });
  const exited = Promise.race([whole, exitAlone]);
  return {
    pid: subprocess.pid,
    stdin: subprocess.stdin,
    stdout,
    stderr,
    exited,
    kill: (signal = 'SIGKILL') => subprocess.kill(signal),
  };
}

/** `exit code 3`, `killed by SIGKILL`, or why it never ran: for messages and logs. */
export function describeProcessExit(exit: ProcessExit): string {
  if (exit.signal !== null) return `killed by ${exit.signal}`;
  if (exit.exitCode !== null) return `exit code ${exit.exitCode}`;
  return exit.error ?? 'ended without an exit status';
}

/** The parts of an execa result (resolved under `reject: false`, also on failure) that tell how it ended. */
interface ExecaEnd {
  exitCode?: number;
  signal?: string;
  originalMessage?: string;
  shortMessage?: string;
}

function toProcessExit(result: ExecaEnd): ProcessExit {
  const exitCode = result.exitCode ?? null;
  const signal = result.signal ?? null;
  if (exitCode !== null || signal !== null) return { exitCode, signal };
  return { exitCode, signal, error: result.originalMessage ?? result.shortMessage ?? 'the process could not be started' };
}
