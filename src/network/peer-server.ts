import { setTimeout as sleep } from 'node:timers/promises';
import { HvbError } from '../util/errors.ts';
import type { Host } from '../hosts/host.ts';
import { processStart } from '../util/proc.ts';
import { servesOn, type SocketProto } from './peer-sockets.ts';

/** How long a peer may take to open its socket. */
export const PEER_START_TIMEOUT_MS = 10_000;
const POLL_MS = 25;
/** Peer output kept for the repetition log. */
const MAX_LOG_CHARS = 64 * 1024;

export interface PeerSpec {
  /** Short name for logs and errors, e.g. `iperf3`, `sockperf-udp`. */
  name: string;
  argv: string[];
  listen: { proto: SocketProto; address: string; port: number };
}

/**
 * One peer server process. It is started in its own process group; stop() (or
 * killSync() on the way out) kills that group.
 */
export interface PeerProcess {
  name: string;
  pid: number;
  /** Start time (see netns-owner.ts), recorded so a leftover is never confused with a new process. */
  start: number;
  log(): string;
  /** True once the process has exited. */
  readonly exited: boolean;
  stop(): Promise<void>;
  killSync(): void;
}

/**
 * Starts a peer and resolves once it serves on its address and port; on failure it is
 * stopped and the error quotes its output. `onSpawned` is told of the process as soon as it
 * exists, before it serves, so that a crash of hvbench meanwhile cannot orphan it.
 */
export async function startPeer(host: Host, spec: PeerSpec, onSpawned: (peer: PeerProcess) => Promise<void> = async () => {}, timeoutMs = PEER_START_TIMEOUT_MS): Promise<PeerProcess> {
  const child = host.spawn(spec.argv, { detached: true });
  let log = '';
  const keep = (bytes: Buffer) => {
    log += bytes.toString('utf8');
    if (log.length > MAX_LOG_CHARS) log = log.slice(-MAX_LOG_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  let exitText = '';
  const done = child.then((r) => {
    exited = true;
    exitText = r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`;
  });
  const pid = child.pid;
  if (pid === undefined) {
    await done;
    throw new HvbError('peer-start', `peer ${spec.name} did not start: ${log.trim() || exitText}`);
  }
  const killSync = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const peer: PeerProcess = {
    name: spec.name,
    pid,
    start: processStart(pid) ?? 0,
    log: () => log,
    get exited() {
      return exited;
    },
    killSync,
    async stop() {
      if (!exited) killSync();
      await done;
    },
  };
  try {
    await onSpawned(peer);
  } catch (error) {
    await peer.stop();
    throw error;
  }
  const { proto, address, port } = spec.listen;
  const deadline = Date.now() + timeoutMs;
  while (!(await servesOn(pid, proto, address, port))) {
    if (exited || Date.now() > deadline) {
      await peer.stop();
      const why = exited ? `it exited (${exitText})` : `it did not open ${proto} ${address}:${port} within ${timeoutMs} ms`;
      throw new HvbError('peer-start', `peer ${spec.name} did not start serving: ${why}${log.trim() ? `; it said: ${log.trim().slice(-500)}` : ''}`, {
        hint: exited && /in use/i.test(log) ? 'another program holds the port; it is chosen again on the next try' : 'the peer runs the guest image\'s own program from the package cache',
      });
    }
    await sleep(POLL_MS);
  }
  return peer;
}
