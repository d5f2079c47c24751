import type { ExecResult, Host } from '../../hosts/host.ts';
import { HvbError } from '../../util/errors.ts';

/** virsh's program name, looked up on the PATH of the host it runs on. */
export const VIRSH = 'virsh';
/** One virsh command must finish within this (a define, a start, a monitor command). */
export const VIRSH_TIMEOUT_MS = 30_000;
export const VIRSH_INSTALL_HINT = 'install the libvirt client: apt-get install libvirt-clients (Debian/Ubuntu)';

/**
 * The argv of one virsh command against a connection: `virsh --quiet -c <uri> <command> <args…>`.
 * Always an argv array, never a shell string: a domain name, a path or a monitor command is
 * one argument whatever it holds.
 */
export function virshArgv(uri: string, command: string, ...args: string[]): string[] {
  return [VIRSH, '--quiet', '-c', uri, command, ...args];
}

/** How virsh is run against one connection on one host. */
export interface Virsh {
  readonly host: Host;
  readonly uri: string;
  /** Runs a command; never throws on a non-zero exit (`exitCode` tells). */
  run(command: string, args?: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<ExecResult>;
  /** Runs a command and returns its stdout; a non-zero exit throws `virsh-failed` with virsh's words. */
  ok(command: string, args?: readonly string[], options?: { input?: string; timeoutMs?: number }): Promise<string>;
}

/** virsh through the Host: the same commands run here or, over SSH, on the host that runs libvirtd. */
export function virshOn(host: Host, uri: string): Virsh {
  const run: Virsh['run'] = (command, args = [], options = {}) =>
    host.exec(virshArgv(uri, command, ...args), {
      timeoutMs: options.timeoutMs ?? VIRSH_TIMEOUT_MS,
      ...(options.input === undefined ? {} : { input: options.input }),
    });
  return {
    host,
    uri,
    run,
    async ok(command, args = [], options = {}) {
      const result = await run(command, args, options);
      if (result.exitCode === 0) return result.stdout;
      throw virshError(result, `virsh ${command}${args[0] === undefined ? '' : ` ${args[0]}`}`, uri, host.name);
    },
  };
}

/** An error naming the command, the connection and virsh's own words (its `error:` lines). */
export function virshError(result: ExecResult, what: string, uri: string, hostName: string): HvbError {
  if (result.exitCode === 127) return new HvbError('virsh-missing', `virsh was not found on ${hostName}`, { hint: VIRSH_INSTALL_HINT });
  return new HvbError('virsh-failed', `${what} (${uri} on ${hostName}) failed: ${virshSaid(result)}`);
}

/** What virsh said went wrong, on one line: its `error:` lines without the prefix, else its last words. */
export function virshSaid(result: Pick<ExecResult, 'stdout' | 'stderr' | 'exitCode'>): string {
  const lines = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const errors = lines.filter((l) => l.startsWith('error:')).map((l) => l.replace(/^error:\s*/, ''));
  const said = (errors.length > 0 ? errors : lines).join('; ');
  return said || result.stdout.trim().split('\n').pop()?.trim() || `exit code ${result.exitCode}`;
}
