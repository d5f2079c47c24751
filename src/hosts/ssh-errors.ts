import { HvbError } from '../util/errors.ts';
import { describeTarget, type SshTargetResolved } from './ssh-argv.ts';

/** ssh exits with 255 when it fails itself (a remote program's own 255 looks the same). */
export const SSH_FAILED = 255;

/**
 * The VMM log line for a remote VMM whose local process (ssh) exited with SSH_FAILED, or
 * undefined: that 255 is ssh's own failure, not the VMM's.
 */
export function sshLostLine(host: { name: string; kind: string }, exitCode: number | null): string | undefined {
  if (host.kind === 'local' || exitCode !== SSH_FAILED) return undefined;
  return `hvbench: the ssh connection to host "${host.name}" was lost (ssh exited with status ${SSH_FAILED}): the host went down or the network failed\n`;
}

/** ssh's own words, without empty lines and carriage returns. */
export function sshMessage(stderr: string): string {
  return stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('; ');
}

/**
 * The error for an ssh that could not open a session: the host key was refused, the key was
 * not accepted, or the host did not answer. Names the host, its address and ssh's message.
 */
export function sshConnectError(target: SshTargetResolved, stderr: string, cause?: unknown): HvbError {
  const where = `host "${target.hostName}" (${describeTarget(target)})`;
  const said = sshMessage(stderr) || 'ssh gave no message';
  const options = cause === undefined ? {} : { cause };
  if (/host key verification failed|no \S+ host key is known|remote host identification has changed/i.test(said)) {
    return new HvbError('host-key-rejected', `${where}: the host key does not match ${target.knownHostsFile}: ${said}`, {
      ...options,
      hint:
        target.kind === 'lab'
          ? 'the lab was rebuilt or another machine answers on its port; boot the lab again'
          : 'if the host was reinstalled, check its new key fingerprint and update the known_hosts file',
    });
  }
  if (/permission denied|too many authentication failures/i.test(said)) {
    return new HvbError('host-auth-failed', `${where}: key authentication failed: ${said}`, {
      ...options,
      hint: 'check ssh.user and ssh.identityFile, and that the public key is in the account’s authorized_keys',
    });
  }
  const lab = target.kind === 'lab' ? target.hostName.replace(/^lab-/, '') : undefined;
  return new HvbError('host-unreachable', `${where} is unreachable over ssh: ${said}`, {
    ...options,
    hint:
      lab === undefined
        ? 'check that the host is up, that sshd listens on that address and port, and the network in between'
        : `\`hvbench lab ${lab} status\` says whether it answers and, if not, shows its console's last lines; ${labRebootHint(lab)}`,
  });
}

/** What to do about a nested lab that stopped answering; said wherever one is found so. */
export function labRebootHint(lab: string): string {
  return `a nested lab hangs now and then (docs/labs.md): \`hvbench lab ${lab} down\` then \`up\` boots it again`;
}
