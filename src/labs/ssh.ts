import { readFile, rm } from 'node:fs/promises';
import { execa } from 'execa';
import type { HostConfig } from '../hosts/host.ts';
import { resolveSshTarget, sshOnceArgv } from '../hosts/ssh-argv.ts';
import { runCommand } from '../guest/command.ts';
import { HvbError } from '../util/errors.ts';

/** A known_hosts line pinning a lab's host key to its forwarded port on the loopback address. */
export function knownHostsLine(port: number, keyType: string, key: string): string {
  if (!/^[a-z0-9@.-]+$/.test(keyType) || !/^[A-Za-z0-9+/=]+$/.test(key)) {
    throw new HvbError('lab-hostkey', `the lab printed a malformed host key: "${keyType} ${key}"`);
  }
  return `[127.0.0.1]:${port} ${keyType} ${key}\n`;
}

/**
 * The ssh argv for one command on a lab (labHostConfig): the options every SSH host gets
 * (hosts/ssh-argv.ts: pinned known_hosts, key auth only, no config files, no prompts), on a
 * connection of its own, with the key the lab was booted with.
 */
export function labSshArgv(config: HostConfig, command: readonly string[], options: { connectTimeoutS?: number } = {}): string[] {
  const target = resolveSshTarget(config);
  if (target.identityFile === undefined) {
    throw new HvbError('invalid-argument', `ssh to ${config.name}: an identity file and a known_hosts file are required`);
  }
  return sshOnceArgv(target, command, options);
}

export interface SshResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs one command on a lab over ssh; never throws for a failed command. `signal` ends ssh early (exit code undefined). */
export async function sshRun(config: HostConfig, command: readonly string[], timeoutMs = 60_000, signal?: AbortSignal): Promise<SshResult> {
  const [file, ...args] = labSshArgv(config, command, { connectTimeoutS: Math.max(5, Math.floor(timeoutMs / 2000)) });
  const r = await execa(file as string, args, {
    reject: false,
    stdin: 'ignore',
    timeout: timeoutMs,
    env: { LC_ALL: 'C' },
    ...(signal ? { cancelSignal: signal } : {}),
  });
  return { exitCode: r.exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), timedOut: Boolean(r.timedOut) };
}

/** A fresh ed25519 key pair without a passphrase; returns the public key line. */
export async function generateKeyPair(identityFile: string): Promise<string> {
  await rm(identityFile, { force: true });
  await rm(`${identityFile}.pub`, { force: true });
  await runCommand(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'hvbench-lab', '-f', identityFile], 'making the lab SSH key');
  return (await readFile(`${identityFile}.pub`, 'utf8')).trim();
}
