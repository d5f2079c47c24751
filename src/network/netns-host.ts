import type { Duplex } from 'node:stream';
import { HvbError } from '../util/errors.ts';
import { ipArgv } from './netns.ts';
import type { ExecResult, Host, HostKind, HostProcess, SpawnOptions } from '../hosts/host.ts';

/** Network namespace names hvbench accepts: what `ip netns` stores as a file name under /run/netns. */
const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The argv prefix that runs a program inside a network namespace (on `host`: see ipArgv). */
export function netnsExecPrefix(netns: string, host: Pick<Host, 'kind'> = { kind: 'local' }): string[] {
  if (!NETNS_NAME.test(netns)) {
    throw new HvbError('invalid-argument', `network namespace name ${JSON.stringify(netns)} is not valid`, {
      hint: 'use 1–64 letters, digits, ".", "_" and "-", starting with a letter or digit',
    });
  }
  return ipArgv(host, ['netns', 'exec', netns]);
}

/**
 * A host whose commands run inside one network namespace: every exec and spawn goes
 * through `ip netns exec <ns>`, which enters the namespace and then execs the program in
 * place, so the pid of a spawned process is the program's own (the VMM's pid stays the
 * VMM's, for its usage and its process group). Files are the inner host's: only the
 * network is different.
 */
export class NetnsHost implements Host {
  readonly name: string;
  readonly kind: HostKind;
  private readonly prefix: string[];

  constructor(
    readonly inner: Host,
    readonly netns: string,
  ) {
    this.prefix = netnsExecPrefix(netns, inner);
    // Samples name the machine, not the namespace: the case still runs on the same host.
    this.name = inner.name;
    this.kind = inner.kind;
  }

  exec(argv: string[], options?: { timeoutMs?: number; input?: string }): Promise<ExecResult> {
    return this.inner.exec(this.wrap(argv), options);
  }

  spawn(argv: string[], options?: SpawnOptions): HostProcess {
    return this.inner.spawn(this.wrap(argv), options);
  }

  readFile(path: string): Promise<string> {
    return this.inner.readFile(path);
  }

  makeTempDir(prefix: string): Promise<string> {
    return this.inner.makeTempDir(prefix);
  }

  removeTree(path: string): Promise<void> {
    return this.inner.removeTree(path);
  }

  writeFile(path: string, data: string | Uint8Array): Promise<void> {
    return this.inner.writeFile(path, data);
  }

  putFile(localPath: string): Promise<string> {
    return this.inner.putFile(localPath);
  }

  /** Unix sockets live in the file system, not the network namespace. */
  connectUnix(path: string): Promise<Duplex> {
    return this.inner.connectUnix(path);
  }

  signalGroup(pgid: number, signal?: NodeJS.Signals): Promise<boolean> {
    return this.inner.signalGroup(pgid, signal);
  }

  private wrap(argv: string[]): string[] {
    if (argv.length === 0 || argv[0] === '') {
      throw new HvbError('invalid-argument', 'cannot run an empty command: argv needs at least the program name');
    }
    return [...this.prefix, ...argv];
  }
}

/**
 * The host outside any network namespace: the machine itself, for what a namespace hides.
 * `ip netns exec` mounts a /sys of the namespace's own, without debugfs, so a read of
 * /sys/kernel/debug through a NetnsHost finds nothing.
 */
export function outsideNetns(host: Host): Host {
  return host instanceof NetnsHost ? outsideNetns(host.inner) : host;
}
