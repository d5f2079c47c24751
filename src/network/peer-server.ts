import { setTimeout as sleep } from 'node:timers/promises';
import { HvbError } from '../util/errors.ts';
import type { Host } from '../hosts/host.ts';
import { processStart } from '../util/proc.ts';
import { killProcessGroup } from '../util/proc-group.ts';
import { watchPeerOutput } from './peer-output.ts';
import { servesOn, type SocketProto } from './peer-sockets.ts';

/** How long a peer may take to open its socket. */
export const PEER_START_TIMEOUT_MS = 10_000;
const POLL_MS = 25;

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
export async function startPeer(
  host: Host,
  spec: PeerSpec,
  onSpawned: (peer: PeerProcess) => Promise<void> = async () => {},
  timeoutMs = PEER_START_TIMEOUT_MS,
): Promise<PeerProcess> {
  const child = host.spawn(spec.argv, { detached: true });
  const output = watchPeerOutput(child);
  const pid = child.pid;
  if (pid === undefined) {
    await output.done;
    throw new HvbError('peer-start', `peer ${spec.name} did not start: ${output.log().trim() || output.exitText}`);
  }
  const killSync = () => {
    try {
      killProcessGroup(pid);
    } catch {
      // not ours to signal any more: the group is gone
    }
  };
  const peer: PeerProcess = {
    name: spec.name,
    pid,
    start: processStart(pid) ?? 0,
    log: output.log,
    get exited() {
      return output.exited;
    },
    killSync,
    async stop() {
      if (!output.exited) killSync();
      await output.done;
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
    if (output.exited || Date.now() > deadline) {
      await peer.stop();
      const log = output.log().trim();
      const why = output.exited ? `it exited (${output.exitText})` : `it did not open ${proto} ${address}:${port} within ${timeoutMs} ms`;
      throw new HvbError('peer-start', `peer ${spec.name} did not start serving: ${why}${log ? `; it said: ${log.slice(-500)}` : ''}`, {
        hint:
          output.exited && /in use/i.test(log)
            ? 'another program holds the port; it is chosen again on the next try'
            : "the peer runs the guest image's own program from the package cache",
      });
    }
    await sleep(POLL_MS);
  }
  return peer;
}
