import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa, type ResultPromise } from 'execa';
import type { HostConfig } from '../../src/hosts/host.ts';

/** Only this address is ever listened on or connected to by the tests. */
export const LOOPBACK = '127.0.0.1';
const SSHD = '/usr/sbin/sshd';
/** OpenSSH's privilege separation directory; the system's service creates it at boot. */
const PRIVSEP_DIR = '/run/sshd';
const START_TIMEOUT_MS = 10_000;

/** A private OpenSSH server on 127.0.0.1 for tests, with its own keys, config and pid file. */
export interface TestSshd {
  port: number;
  dir: string;
  /** Client private key that the server accepts (for root). */
  identityFile: string;
  /** known_hosts with the server's key for [127.0.0.1]:port. */
  knownHostsFile: string;
  /** A known_hosts file with a different key for the same address (host key check must refuse it). */
  wrongKnownHostsFile: string;
  config(overrides?: Partial<HostConfig>): HostConfig;
  /** What sshd wrote to stderr (-e), for failing tests. */
  log(): string;
  /** Stops the server and every session process it forked; idempotent. */
  stop(): Promise<void>;
}

export async function startSshd(): Promise<TestSshd> {
  await mkdir(PRIVSEP_DIR, { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'hvb-sshd-'));
  let server: ResultPromise | undefined;
  try {
    await keygen(join(dir, 'host_key'), 'test host key');
    await keygen(join(dir, 'client_key'), 'test client key');
    await keygen(join(dir, 'other_host_key'), 'another host key');
    const port = await freePort();
    const hostKey = (await readFile(join(dir, 'host_key.pub'), 'utf8')).trim().split(' ').slice(0, 2).join(' ');
    const otherKey = (await readFile(join(dir, 'other_host_key.pub'), 'utf8')).trim().split(' ').slice(0, 2).join(' ');
    await writeFile(join(dir, 'known_hosts'), `[${LOOPBACK}]:${port} ${hostKey}\n`);
    await writeFile(join(dir, 'wrong_known_hosts'), `[${LOOPBACK}]:${port} ${otherKey}\n`);
    await mkdir(join(dir, 'home'));
    await writeFile(join(dir, 'authorized_keys'), await readFile(join(dir, 'client_key.pub')), { mode: 0o600 });
    await writeFile(
      join(dir, 'sshd_config'),
      [
        `ListenAddress ${LOOPBACK}:${port}`,
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        // The keys live under the temporary directory, whose parent is world-writable.
        'StrictModes no',
        'PermitUserEnvironment no',
        'AllowTcpForwarding no',
        'X11Forwarding no',
        'LogLevel INFO',
        // Sessions get a home of their own: the account's start-up files (root's ~/.bashrc
        // here) are the machine's, not the test's. A slow one delays every session past
        // the connect timeout; one that takes a lock (pyenv's rehash) and is killed with
        // the server leaves every later session waiting on it.
        `SetEnv HOME=${join(dir, 'home')}`,
        '',
      ].join('\n'),
    );
    let log = '';
    server = execa(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { reject: false, buffer: false, stdin: 'ignore' });
    server.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
    const started = server;
    let exited = false;
    void started.then(() => (exited = true));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!log.includes(`Server listening on ${LOOPBACK} port ${port}`)) {
      if (exited) throw new Error(`sshd exited while starting:\n${log}`);
      if (Date.now() > deadline) throw new Error(`sshd did not listen within ${START_TIMEOUT_MS} ms:\n${log}`);
      await sleep(20);
    }
    let stopped: Promise<void> | undefined;
    const base: HostConfig = {
      name: 'test-sshd',
      kind: 'remote',
      backends: ['tcg'],
      ssh: { address: LOOPBACK, port, user: 'root', identityFile: join(dir, 'client_key'), knownHostsFile: join(dir, 'known_hosts') },
    };
    return {
      port,
      dir,
      identityFile: join(dir, 'client_key'),
      knownHostsFile: join(dir, 'known_hosts'),
      wrongKnownHostsFile: join(dir, 'wrong_known_hosts'),
      config: (overrides = {}) => ({ ...base, ...overrides, ssh: { ...base.ssh!, ...overrides.ssh } }),
      log: () => log,
      stop: () => (stopped ??= stopServer(started, dir)),
    };
  } catch (error) {
    if (server !== undefined) await stopServer(server, dir);
    else await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Kills the listener and every process below it (sshd's per-connection children outlive it otherwise). */
async function stopServer(server: ResultPromise, dir: string): Promise<void> {
  if (server.pid !== undefined) {
    const below = descendants(server.pid);
    server.kill('SIGTERM');
    for (const pid of below) killQuietly(pid);
    await Promise.race([server, sleep(5_000)]);
    server.kill('SIGKILL');
    await server;
    // Children forked between the scan and the kill.
    for (const pid of descendants(server.pid)) killQuietly(pid);
  }
  await rm(dir, { recursive: true, force: true });
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Every live process below `root`, from /proc (parent links). */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat
        .slice(stat.lastIndexOf(')') + 1)
        .trim()
        .split(/\s+/);
      parent.set(Number(entry), Number(fields[1]));
    } catch {
      // exited while we looked
    }
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const [pid, ppid] of parent) {
      if (ppid === current) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

async function keygen(path: string, comment: string): Promise<void> {
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
}

/** A port nobody listens on at this moment, on 127.0.0.1 only. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, LOOPBACK, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
