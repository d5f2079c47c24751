import { readFile, rm } from 'node:fs/promises';
import { execa } from 'execa';
import type { SshTarget } from '../hosts/host.ts';
import { runCommand } from '../guest/command.ts';
import { HvbError } from '../util/errors.ts';

/** One word for a POSIX shell: single-quoted, with each `'` written as `'\''`. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** ssh runs its remote command through the remote user's shell: one string, every word quoted. */
export function remoteCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new HvbError('invalid-argument', 'a remote command needs at least one word');
  return argv.map(shellQuote).join(' ');
}

/** A known_hosts line pinning a lab's host key to its forwarded port on the loopback address. */
export function knownHostsLine(port: number, keyType: string, key: string): string {
  if (!/^[a-z0-9@.-]+$/.test(keyType) || !/^[A-Za-z0-9+/=]+$/.test(key)) {
    throw new HvbError('lab-hostkey', `the lab printed a malformed host key: "${keyType} ${key}"`);
  }
  return `[127.0.0.1]:${port} ${keyType} ${key}\n`;
}

/** Paths that reach ssh's own option parser must not hold white space or quotes. */
function checkOptionPath(path: string): string {
  if (/[\s"'\\]/.test(path)) {
    throw new HvbError('invalid-argument', `ssh cannot take this path in an option: "${path}"`, { hint: 'point $HVBENCH_CACHE at a folder without spaces or quotes' });
  }
  return path;
}

/**
 * The ssh argv for one remote command: key auth only, the pinned known_hosts file only, no
 * configuration files, no prompts.
 */
export function sshArgv(target: SshTarget, command: readonly string[], options: { connectTimeoutSec?: number } = {}): string[] {
  if (!target.identityFile || !target.knownHostsFile) {
    throw new HvbError('invalid-argument', `ssh to ${target.address}: an identity file and a known_hosts file are required`);
  }
  return [
    'ssh', '-F', 'none',
    '-i', checkOptionPath(target.identityFile),
    '-o', 'IdentitiesOnly=yes',
    '-o', `UserKnownHostsFile=${checkOptionPath(target.knownHostsFile)}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${options.connectTimeoutSec ?? 30}`,
    '-o', 'ServerAliveInterval=15',
    '-o', 'LogLevel=ERROR',
    '-p', String(target.port ?? 22),
    `${target.user ?? 'root'}@${target.address}`,
    '--',
    remoteCommand(command),
  ];
}

export interface SshResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs one command on the target over ssh; never throws for a failed command. `signal` ends ssh early (exit code undefined). */
export async function sshRun(target: SshTarget, command: readonly string[], timeoutMs = 60_000, signal?: AbortSignal): Promise<SshResult> {
  const [file, ...args] = sshArgv(target, command, { connectTimeoutSec: Math.max(5, Math.floor(timeoutMs / 2000)) });
  const r = await execa(file as string, args, { reject: false, stdin: 'ignore', timeout: timeoutMs, env: { LC_ALL: 'C' }, ...(signal ? { cancelSignal: signal } : {}) });
  return { exitCode: r.exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), timedOut: Boolean(r.timedOut) };
}

/** A fresh ed25519 key pair without a passphrase; returns the public key line. */
export async function generateKeyPair(identityFile: string): Promise<string> {
  await rm(identityFile, { force: true });
  await rm(`${identityFile}.pub`, { force: true });
  await runCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'hvbench-lab', '-f', identityFile], 'making the lab SSH key');
  return (await readFile(`${identityFile}.pub`, 'utf8')).trim();
}
