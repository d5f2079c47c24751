import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { execa } from 'execa';
import { HvbError } from '../util/errors.ts';
import { toExecResult, type ExecaOutcome } from './exec-result.ts';
import type { ExecResult, Host, HostConfig, HostKind, HostProcess, LibvirtSettings, SpawnOptions } from './host.ts';
import { spawnPiped } from './piped-process.ts';
import { REMOTE_FILE_CACHE_DIR, RemoteFileCache } from './remote-files.ts';
import { isTransientSshFailure, retrySetup } from './remote-retry.ts';
import { plainCommand, watchdogCommand } from './remote-scripts.ts';
import { socatConnected, socatUnixArgv } from './remote-socket.ts';
import { describeTarget, resolveSshTarget, sshCommandArgv, sshControlArgv, type SshTargetResolved } from './ssh-argv.ts';
import { SSH_FAILED, sshConnectError } from './ssh-errors.ts';
import { forgetSshHost, rememberSshHost } from './ssh-masters.ts';
import { Semaphore } from '../util/semaphore.ts';

const MAX_CONCURRENT_COMMANDS = 1;
import { shellCommand, shellWord } from './shell-quote.ts';

/** The first connection (key exchange, authentication) must be done within this. */
const CONNECT_TIMEOUT_MS = 30_000;
/** A command to the multiplexing master (`check`, `exit`) must be answered within this. */
const CONTROL_TIMEOUT_MS = 10_000;
const TEMP_PREFIX = /^[A-Za-z0-9._-]{1,64}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface RunOptions {
  input?: string | Uint8Array;
  inputFile?: string;
  timeoutMs?: number;
}

export interface SshHostOptions {
  /** Where the host keeps files sent by putFile; default /var/tmp/hvbench-files. */
  fileCacheDir?: string;
}

/**
 * A machine reached with the system's OpenSSH client: key authentication, the host key
 * pinned to a known_hosts file and checked strictly, and one multiplexed connection
 * (ControlMaster) shared by every command, in a private control directory. Commands are
 * argv arrays, turned into the remote shell's command string by shellCommand() alone.
 *
 * Programs spawned with `detached: true` lead their own process group on the remote host
 * and are tied to their ssh channel: when the local ssh dies (killed, hvbench gone) or the
 * connection drops, a watchdog on the remote side kills the whole group. Their stdin is
 * that lifeline, and the program's input only when spawned with `forwardStdin`. Other programs get the channel's stdin; an exec
 * timeout ends the local ssh, and the remote program ends when it next reads or writes.
 */
export class SshHost implements Host {
  readonly name: string;
  readonly kind: HostKind;
  readonly libvirt: LibvirtSettings | undefined;
  readonly target: SshTargetResolved;
  private readonly controlDir: string;
  private readonly controlPath: string;
  private readonly files: RemoteFileCache;
  private connected: Promise<void> | undefined;
  private closed = false;
  /**
   * Short commands in flight at once over the shared connection: one. dropbear (the labs'
   * server) loses the exit status of about one in ten short sessions when two run at the
   * same moment over one connection (ssh then exits 255 and says nothing); one at a time
   * never did. Long-running spawns (VMMs, QMP streams) are not counted.
   */
  private readonly commands = new Semaphore(MAX_CONCURRENT_COMMANDS);
  /** Pid of the multiplexing master, once known (for a synchronous stop on exit). */
  masterPid: number | undefined;

  constructor(config: HostConfig, options: SshHostOptions = {}) {
    this.target = resolveSshTarget(config);
    this.name = config.name;
    this.kind = config.kind;
    this.libvirt = config.libvirt;
    // mkdtemp: mode 0700, so no other user can reach the control socket.
    this.controlDir = mkdtempSync(join(tmpdir(), 'hvbench-ssh-'));
    this.controlPath = join(this.controlDir, 'mux');
    this.files = new RemoteFileCache(
      { run: (command, runOptions) => this.run(command, runOptions), describe: () => this.describe() },
      options.fileCacheDir ?? REMOTE_FILE_CACHE_DIR,
    );
    rememberSshHost(this);
  }

  /** `host "name" (user@address:port)`, for messages. */
  describe(): string {
    return `host "${this.name}" (${describeTarget(this.target)})`;
  }

  /**
   * Opens the shared connection once (later calls reuse it); rejects with `host-unreachable`,
   * `host-key-rejected` or `host-auth-failed` naming the host and quoting ssh.
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(new HvbError('host-closed', `${this.describe()} was closed`));
    this.connected ??= this.openMaster().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    return this.connected;
  }

  async exec(argv: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
    const result = await this.runRaw(plainCommand(argv), options);
    return toExecResult(result, options.timeoutMs);
  }

  spawn(argv: string[], options: SpawnOptions = {}): HostProcess {
    const full = withEnv(argv, options.env);
    const command = options.detached ? watchdogCommand(full, options.cwd ?? '', options.forwardStdin ?? false) : plainCommand(full, options.cwd);
    // spawn is synchronous: if no connection is open yet, this ssh opens the master itself.
    const [file, ...args] = this.sshArgv(command);
    // Its own local group, like a local VMM: a Ctrl-C at the terminal does not reach it.
    return spawnPiped(file!, args, { detached: options.detached ?? false });
  }

  /** Reads a text file; a missing file rejects with code `ENOENT`, like a local read. */
  async readFile(path: string): Promise<string> {
    const result = await this.run(shellCommand(['cat', '--', path]));
    if (result.exitCode !== 0) {
      const missing = /no such file or directory/i.test(result.stderr);
      throw new HvbError(
        missing ? 'ENOENT' : 'remote-read-failed',
        `${this.describe()}: cannot read ${path}: ${result.stderr.trim() || `exit code ${result.exitCode}`}`,
      );
    }
    return result.stdout;
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    const result = await this.run(`cat > ${shellWord(path)}`, { input: data });
    if (result.exitCode !== 0) {
      throw new HvbError('remote-write-failed', `${this.describe()}: cannot write ${path}: ${result.stderr.trim() || `exit code ${result.exitCode}`}`);
    }
  }

  async makeTempDir(prefix: string): Promise<string> {
    if (!TEMP_PREFIX.test(prefix)) {
      throw new HvbError('invalid-argument', `temporary directory prefix must be 1–64 of [A-Za-z0-9._-]: got "${prefix}"`);
    }
    // A random name chosen here, so the command can be run again when ssh lost it (exit 255,
    // nothing said): `mkdir -p` then finds the folder it made. Mode 0700; TMPDIR is the remote user's own.
    const name = shellWord(`${prefix}${randomBytes(6).toString('hex')}`);
    const command = `d="\${TMPDIR:-/tmp}"/${name} && mkdir -p -m 700 -- "$d" && printf '%s\\n' "$d"`;
    const result = await retrySetup(this, 'mkdir (temporary folder)', () => this.run(command));
    const path = result.stdout.trim();
    if (result.exitCode !== 0 || !path.startsWith('/')) {
      throw new HvbError(
        'remote-temp-failed',
        `${this.describe()}: cannot make a temporary folder: ${result.stderr.trim() || `exit code ${result.exitCode}`}${isTransientSshFailure(this, result) ? ' (ssh failed twice; the host may be overloaded)' : ''}`,
      );
    }
    return path;
  }

  async removeTree(path: string): Promise<void> {
    if (path === '' || path === '/' || !path.startsWith('/')) {
      throw new HvbError('invalid-argument', `refusing to remove ${JSON.stringify(path)} on ${this.describe()}: expected an absolute path below /`);
    }
    const result = await this.run(shellCommand(['rm', '-rf', '--', path]));
    if (result.exitCode !== 0) {
      throw new HvbError('remote-remove-failed', `${this.describe()}: cannot remove ${path}: ${result.stderr.trim() || `exit code ${result.exitCode}`}`);
    }
  }

  putFile(localPath: string): Promise<string> {
    return this.files.put(localPath);
  }

  async connectUnix(path: string): Promise<Duplex> {
    const argv = socatUnixArgv(path);
    await this.connect();
    const [file, ...args] = this.sshArgv(plainCommand(argv));
    const child = execa(file!, args, {
      reject: false,
      buffer: false,
      stdin: 'pipe',
      stdout: 'pipe',
      stderr: 'pipe',
    });
    return socatConnected(child, path, (exitCode, stderr) => {
      if (exitCode === 127 || /socat: (command )?not found|socat: No such file/i.test(stderr)) {
        return new HvbError('remote-tool-missing', `${this.describe()} has no socat, which hvbench needs to reach unix sockets (QMP) there`, {
          hint: 'install socat on that host (Debian: apt-get install socat)',
        });
      }
      if (exitCode === SSH_FAILED) return sshConnectError(this.target, stderr);
      return undefined;
    });
  }

  async signalGroup(pgid: number, signal: NodeJS.Signals = 'SIGKILL'): Promise<boolean> {
    if (!Number.isInteger(pgid) || pgid <= 1) {
      throw new HvbError('invalid-argument', `process group id must be a whole number above 1, got ${pgid}`);
    }
    if (!(signal in constants.signals)) throw new HvbError('invalid-argument', `unknown signal ${signal}`);
    // `kill -NAME -PGID`: the one negative-pid form that bash, dash and busybox all accept.
    const result = await this.run(`LC_ALL=C ${shellCommand(['kill', `-${signal.replace(/^SIG/, '')}`, `-${pgid}`])}`);
    if (result.exitCode === 0) return true;
    if (/no such process/i.test(result.stderr)) return false;
    throw new HvbError(
      'remote-kill-failed',
      `${this.describe()}: cannot send ${signal} to process group ${pgid}: ${result.stderr.trim() || `exit code ${result.exitCode}`}`,
    );
  }

  /** Ends the shared connection (and every session still on it) and removes the control directory. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.connected?.catch(() => {});
    const [file, ...args] = sshControlArgv(this.target, this.controlPath, 'exit');
    await execa(file!, args, { reject: false, stdin: 'ignore', timeout: CONTROL_TIMEOUT_MS });
    rmSync(this.controlDir, { recursive: true, force: true });
    forgetSshHost(this);
  }

  /** Synchronous last resort on process exit: stop the master, remove the control directory. */
  closeSync(): void {
    if (this.masterPid !== undefined) {
      try {
        process.kill(this.masterPid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    this.closed = true;
    rmSync(this.controlDir, { recursive: true, force: true });
  }

  /**
   * Runs a command string over the shared connection, to completion. Throws only when ssh
   * itself could not get through (host-unreachable and friends).
   */
  private async run(command: string, options: RunOptions = {}): Promise<ExecResult> {
    const result = await this.runRaw(command, options);
    if (result.exitCode === SSH_FAILED && isConnectionFailure(result.stderr)) throw sshConnectError(this.target, String(result.stderr));
    return toExecResult(result, options.timeoutMs);
  }

  private async runRaw(command: string, options: RunOptions): Promise<ExecaOutcome> {
    await this.connect();
    return this.commands.use(() => this.runNow(command, options));
  }

  private async runNow(command: string, options: RunOptions): Promise<ExecaOutcome> {
    const input =
      options.inputFile !== undefined
        ? { inputFile: options.inputFile }
        : options.input !== undefined
          ? { input: options.input }
          : { stdin: 'ignore' as const };
    const [file, ...args] = this.sshArgv(command);
    return execa(file!, args, {
      reject: false,
      stripFinalNewline: false,
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      ...input,
    });
  }

  private sshArgv(command: string): string[] {
    if (this.closed) throw new HvbError('host-closed', `${this.describe()} was closed`);
    return sshCommandArgv(this.target, this.controlPath, command);
  }

  private async openMaster(): Promise<void> {
    const [file, ...args] = sshCommandArgv(this.target, this.controlPath, 'exit 0');
    const result = await execa(file!, args, { reject: false, stdin: 'ignore', timeout: CONNECT_TIMEOUT_MS });
    if (result.exitCode !== 0) {
      const said = result.timedOut
        ? `no session within ${CONNECT_TIMEOUT_MS} ms (the connection, or the account's shell start-up files such as ~/.bashrc, took longer)`
        : String(result.stderr || result.originalMessage || '');
      throw sshConnectError(this.target, said);
    }
    const [checkFile, ...checkArgs] = sshControlArgv(this.target, this.controlPath, 'check');
    const check = await execa(checkFile!, checkArgs, { reject: false, stdin: 'ignore', timeout: CONTROL_TIMEOUT_MS });
    const pid = /pid=(\d+)/.exec(String(check.stderr))?.[1];
    this.masterPid = pid === undefined ? undefined : Number(pid);
  }
}

/** ssh's own failures (as opposed to a remote program that exited with 255). */
function isConnectionFailure(stderr: unknown): boolean {
  return /^(ssh: |kex_exchange_identification|connection (closed|reset|timed out)|host key verification failed|mux_client|control socket)|permission denied \(|\bport \d+: /im.test(
    String(stderr),
  );
}

function withEnv(argv: string[], env: Record<string, string> | undefined): string[] {
  if (env === undefined || Object.keys(env).length === 0) return argv;
  const assignments = Object.entries(env).map(([name, value]) => {
    if (!ENV_NAME.test(name)) throw new HvbError('invalid-argument', `environment variable name ${JSON.stringify(name)} is not valid`);
    return `${name}=${value}`;
  });
  return ['env', ...assignments, ...argv];
}
