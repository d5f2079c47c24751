import { isAbsolute, resolve } from 'node:path';
import { HvbError } from '../util/errors.ts';
import type { HostConfig, HostKind } from './host.ts';
import { shellCommand } from './shell-quote.ts';

/** Seconds an idle multiplexing master stays up after its last session (a backstop: close() ends it). */
export const CONTROL_PERSIST_S = 60;
export const CONNECT_TIMEOUT_S = 10;
/** A dead connection is noticed after about 3 × 10 s without an answer. */
export const SERVER_ALIVE_INTERVAL_S = 10;
export const SERVER_ALIVE_COUNT_MAX = 3;

/** Everything needed to run `ssh` against one host, checked. */
export interface SshTargetResolved {
  hostName: string;
  kind: HostKind;
  address: string;
  port: number;
  user: string | undefined;
  identityFile: string | undefined;
  knownHostsFile: string;
}

/** A host name, an IPv4 address, or an IPv6 address (without brackets); never an option. */
const ADDRESS = /^(?:[A-Za-z0-9][A-Za-z0-9._-]*|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*)$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Checks a host config for SSH: kind remote or lab, an address, a pinned host key. */
export function resolveSshTarget(config: HostConfig): SshTargetResolved {
  const where = `host "${config.name}"`;
  if (config.kind !== 'remote' && config.kind !== 'lab') {
    throw new HvbError('invalid-host', `${where}: kind "${config.kind}" is not reached over SSH (expected "remote" or "lab")`);
  }
  const ssh = config.ssh;
  if (ssh === undefined) {
    throw new HvbError('invalid-host', `${where}: kind "${config.kind}" needs an "ssh" field with at least an address`);
  }
  if (!ADDRESS.test(ssh.address)) {
    throw new HvbError('invalid-host', `${where}: ssh.address ${JSON.stringify(ssh.address)} is not a host name or IP address`);
  }
  const port = ssh.port ?? 22;
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new HvbError('invalid-host', `${where}: ssh.port must be a whole number from 1 to 65535, received ${JSON.stringify(ssh.port)}`);
  }
  if (ssh.user !== undefined && !USER.test(ssh.user)) {
    throw new HvbError('invalid-host', `${where}: ssh.user ${JSON.stringify(ssh.user)} is not a valid user name`);
  }
  if (ssh.knownHostsFile === undefined || ssh.knownHostsFile === '') {
    throw new HvbError('invalid-host', `${where}: ssh.knownHostsFile is required: hvbench checks the host key and never accepts an unknown one`, {
      hint:
        config.kind === 'lab'
          ? 'the lab writes its known_hosts file when it boots; pass that file'
          : `pin the key once, e.g. ssh-keyscan -p ${port} ${ssh.address} > known_hosts (and compare its fingerprint with the host's own), then set ssh.knownHostsFile`,
    });
  }
  return {
    hostName: config.name,
    kind: config.kind,
    address: ssh.address,
    port,
    user: ssh.user,
    identityFile: ssh.identityFile === undefined ? undefined : checkedPath(ssh.identityFile, `${where}: ssh.identityFile`),
    knownHostsFile: checkedPath(ssh.knownHostsFile, `${where}: ssh.knownHostsFile`),
  };
}

/** `user@address:port`, for messages. */
export function describeTarget(target: SshTargetResolved): string {
  const address = target.address.includes(':') ? `[${target.address}]` : target.address;
  return `${target.user === undefined ? '' : `${target.user}@`}${address}:${target.port}`;
}

/** How one ssh call connects: through a multiplexing master at `controlPath`, or on a connection of its own. */
export interface SshConnection {
  /** The master's socket; without it the call opens (and closes) its own connection. */
  controlPath?: string;
  /** Seconds to wait for the TCP connection; default CONNECT_TIMEOUT_S. */
  connectTimeoutS?: number;
}

/**
 * The options of every ssh call to a host: no user or system config (`-F none`), key auth
 * only, the host key pinned to one file and checked strictly; multiplexed when a control
 * path is given.
 */
export function sshOptions(target: SshTargetResolved, connection: SshConnection): string[] {
  const { controlPath } = connection;
  return [
    '-F',
    'none',
    '-T',
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    ...(target.identityFile === undefined ? [] : ['-i', configValue(target.identityFile)]),
    '-o',
    `UserKnownHostsFile=${configValue(target.knownHostsFile)}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'UpdateHostKeys=no',
    '-o',
    'CheckHostIP=no',
    ...(controlPath === undefined
      ? []
      : ['-o', 'ControlMaster=auto', '-o', `ControlPath=${configValue(controlPath)}`, '-o', `ControlPersist=${CONTROL_PERSIST_S}`]),
    '-o',
    `ConnectTimeout=${connection.connectTimeoutS ?? CONNECT_TIMEOUT_S}`,
    '-o',
    `ServerAliveInterval=${SERVER_ALIVE_INTERVAL_S}`,
    '-o',
    `ServerAliveCountMax=${SERVER_ALIVE_COUNT_MAX}`,
    '-o',
    'LogLevel=ERROR',
    '-p',
    String(target.port),
    ...(target.user === undefined ? [] : ['-l', target.user]),
  ];
}

/** `ssh … -- address '<command>'`: the remote login shell runs `command` (already quoted). */
export function sshCommandArgv(target: SshTargetResolved, controlPath: string, command: string): string[] {
  return ['ssh', ...sshOptions(target, { controlPath }), '--', target.address, command];
}

/** `ssh … -O check|exit address`: talks to the multiplexing master only. */
export function sshControlArgv(target: SshTargetResolved, controlPath: string, operation: 'check' | 'exit'): string[] {
  return ['ssh', ...sshOptions(target, { controlPath }), '-O', operation, '--', target.address];
}

/**
 * `ssh … -- address '<argv, quoted>'` on a connection of its own, no master left behind:
 * one command where no SshHost is kept (a lab's probe while it boots). The remote login
 * shell runs the argv word for word (shell-quote.ts).
 */
export function sshOnceArgv(target: SshTargetResolved, argv: readonly string[], options: { connectTimeoutS?: number } = {}): string[] {
  return ['ssh', ...sshOptions(target, options), '--', target.address, shellCommand(argv)];
}

/**
 * ssh expands `%` tokens and `~` in these paths and splits config values at white space:
 * paths are made absolute, `%` is doubled, and white space or quotes are refused.
 */
function checkedPath(path: string, field: string): string {
  if (/[\s"'\\]/.test(path) || path === '') {
    throw new HvbError('invalid-host', `${field}: ${JSON.stringify(path)} must be a path without white space, quotes or backslashes`);
  }
  return isAbsolute(path) ? path : resolve(path);
}

function configValue(path: string): string {
  return path.replaceAll('%', '%%');
}
