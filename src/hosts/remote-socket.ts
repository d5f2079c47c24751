import { Duplex } from 'node:stream';
import type { ResultPromise } from 'execa';
import { HvbError } from '../util/errors.ts';

/** Unix socket paths that socat's address syntax takes literally (no `,` `:` `!` quotes or escapes). */
const SOCAT_SAFE_PATH = /^[A-Za-z0-9._/+@%=-]+$/;
/** socat says this once both ends are open (with `-d -d`). */
const CONNECTED = /starting data transfer loop/;

/** The argv that bridges stdin/stdout to a unix socket on the host it runs on. */
export function socatUnixArgv(path: string): string[] {
  if (!SOCAT_SAFE_PATH.test(path)) {
    throw new HvbError('invalid-argument', `unix socket path ${JSON.stringify(path)} cannot be passed to socat; use letters, digits and ._/+@%=-`);
  }
  return ['socat', '-d', '-d', '-', `UNIX-CONNECT:${path}`];
}

/**
 * A Duplex over a child's stdout (read) and stdin (write). It closes when the child exits;
 * destroying it kills the child.
 */
export class ChildStream extends Duplex {
  constructor(private readonly child: ResultPromise) {
    super();
    const stdout = child.stdout!;
    stdout.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) stdout.pause();
    });
    stdout.on('end', () => this.push(null));
    child.stdin?.on('error', () => {}); // EPIPE after the far end left: the exit closes us.
    // Once the child is gone and its last bytes are read, the stream closes ('close').
    const done = (): void => {
      if (stdout.readableEnded || stdout.destroyed) this.destroy();
      else stdout.once('close', () => this.destroy());
    };
    void child.then(done, done);
  }

  override _read(): void {
    this.child.stdout?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const stdin = this.child.stdin;
    if (stdin === null || stdin.destroyed) {
      callback(new HvbError('qmp-closed', 'the connection has closed'));
      return;
    }
    stdin.write(chunk, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.child.stdin?.end();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    callback(error);
  }
}

/**
 * Waits until socat (run by `child`, with -d -d) says the connection is open, and returns the
 * stream. If it exits first, rejects like a local connect would: an HvbError
 * `qmp-connect-failed` whose cause carries ENOENT or ECONNREFUSED when the socket was missing
 * or refused, so QMP keeps retrying; `onExit` turns other failures (ssh, socat missing) into
 * their own errors.
 */
export function socatConnected(
  child: ResultPromise,
  path: string,
  onExit: (exitCode: number | undefined, stderr: string) => HvbError | undefined,
): Promise<Duplex> {
  // Take stdout at once: execa's stream is already flowing, and the server may speak first
  // (QEMU's greeting) before socat's notice on stderr has been read.
  const stream = new ChildStream(child);
  return new Promise((resolve, reject) => {
    let stderr = '';
    let settled = false;
    const onData = (chunk: Buffer): void => {
      stderr += chunk.toString('utf8');
      if (settled || !CONNECTED.test(stderr)) return;
      settled = true;
      stderr = '';
      child.stderr?.off('data', onData);
      child.stderr?.resume(); // socat keeps talking; nobody needs it
      resolve(stream);
    };
    child.stderr?.on('data', onData);
    void child.then((result) => {
      if (settled) return;
      settled = true;
      const errno = /no such file or directory/i.test(stderr) ? 'ENOENT' : /connection refused/i.test(stderr) ? 'ECONNREFUSED' : undefined;
      if (errno !== undefined) {
        const cause = Object.assign(new Error(`${errno}: ${lastError(stderr)}`), { code: errno });
        reject(new HvbError('qmp-connect-failed', `cannot connect to unix socket ${path}: ${lastError(stderr)}`, { cause }));
        return;
      }
      reject(
        onExit(result.exitCode, stderr) ??
          new HvbError('qmp-connect-failed', `cannot connect to unix socket ${path}: exit code ${result.exitCode ?? result.signal}: ${lastError(stderr)}`),
      );
    });
  });
}

/** socat's error line (`… E connect(…): No such file or directory`), or the last line. */
function lastError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const error = lines.find((line) => / E /.test(line)) ?? lines.at(-1) ?? '(no message)';
  return error.replace(/^.*? E /, '');
}
