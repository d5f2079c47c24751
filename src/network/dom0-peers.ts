import { setTimeout as sleep } from 'node:timers/promises';
import { posix } from 'node:path';
import type { GuestImage } from '../guest/image.ts';
import { DYNAMIC_LOADER } from '../guest/libs.ts';
import type { PeerPorts } from '../workloads/net-endpoint.ts';
import { HvbError } from '../util/errors.ts';
import { killProcessGroup } from '../util/proc-group.ts';
import type { Host } from '../hosts/host.ts';
import { watchPeerOutput } from './peer-output.ts';
import { peerRootAt, peerRootFiles, type PeerRoot, type PeerRootOptions } from './peer-root.ts';
import type { PeerSpec } from './peer-server.ts';
import { parseProcNet, type SocketProto } from './peer-sockets.ts';

/** How long a peer in dom0 may take to open its socket (each check is a command over SSH). */
const START_TIMEOUT_MS = 30_000;
const POLL_MS = 250;

/**
 * Lays the guest image's iperf3 and sockperf (with their libraries and loader) out in
 * `dir` on the dom0: each file is copied once into the host's file cache (by sha256, see
 * Host.putFile) and linked into place under its guest path; the loader is copied, as it
 * runs as a program. So the peers in dom0 run the very bytes the guest runs, whatever the
 * dom0 has installed.
 */
export async function preparePeerRootOn(host: Host, image: GuestImage, dir: string, options: PeerRootOptions = {}): Promise<PeerRoot> {
  const { files, programs } = await peerRootFiles(image, options);
  const pairs: string[] = [];
  for (const [guestPath, source] of files) pairs.push(await host.putFile(source), posix.join(dir, guestPath));
  const loader = posix.join(dir, DYNAMIC_LOADER);
  const script =
    'l=$1; shift; while [ $# -ge 2 ]; do mkdir -p "${2%/*}" || exit 1; ' +
    'if [ "$2" = "$l" ]; then cp "$1" "$2" && chmod 755 "$2" || exit 1; else ln -s "$1" "$2" || exit 1; fi; shift 2; done';
  const r = await host.exec(['sh', '-c', script, 'hvb-peer-root', loader, ...pairs], { timeoutMs: 60_000 });
  if (r.exitCode !== 0)
    throw new HvbError('peer-root', `cannot lay out the peers' programs in ${dir} on ${host.name}: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  return peerRootAt(dir, programs);
}

/**
 * One peer server on another host (a dom0, or a network namespace there): its own process
 * group there, tied to hvbench through its spawn.
 */
export interface Dom0Peer {
  name: string;
  /** Its pid (and process group) on that host, once it said it. */
  pid: number | undefined;
  log(): string;
  /** True once its spawn has ended. */
  readonly exited: boolean;
  stop(): Promise<void>;
  /** Kills the local end of its spawn (the ssh client): the dom0 side then ends the group. */
  killSync(): void;
}

/** The three peers of the net workload on `address`, with the fixed ports of a private network. */
export function dom0PeerSpecs(root: PeerRoot, address: string, ports: PeerPorts): PeerSpec[] {
  return [
    {
      name: 'iperf3',
      argv: root.argv('iperf3', ['-s', '-B', address, '-p', String(ports.iperf3), '--forceflush']),
      listen: { proto: 'tcp', address, port: ports.iperf3 },
    },
    {
      name: 'sockperf-udp',
      argv: root.argv('sockperf', ['server', '-i', address, '-p', String(ports.sockperfUdp)]),
      listen: { proto: 'udp', address, port: ports.sockperfUdp },
    },
    {
      name: 'sockperf-tcp',
      argv: root.argv('sockperf', ['server', '--tcp', '-i', address, '-p', String(ports.sockperfTcp)]),
      listen: { proto: 'tcp', address, port: ports.sockperfTcp },
    },
  ];
}

/** The state of a socket that waits for peers: LISTEN for TCP, bound for UDP. */
const SERVING_STATE: Record<SocketProto, number> = { tcp: 0x0a, udp: 0x07 };
const PID_LINE = /^hvb-peer-pid (\d+)$/m;

/**
 * Starts a peer in dom0 (or on any host: `where` names the place in messages) and resolves
 * once a socket serves on its address and port (the address exists only on the case's own
 * bridge or namespace, so nothing else can hold it). A small sh prints its pid, then
 * becomes the peer. `onSpawned` hears of it at once, so that an interruption meanwhile
 * cannot orphan it.
 */
export async function startDom0Peer(host: Host, spec: PeerSpec, onSpawned: (peer: Dom0Peer) => void, where = `in dom0 of ${host.name}`): Promise<Dom0Peer> {
  const child = host.spawn(['sh', '-c', 'echo "hvb-peer-pid $$"; exec "$@"', 'hvb-peer', ...spec.argv], { detached: true });
  let pid: number | undefined;
  const output = watchPeerOutput(child, (log) => {
    pid ??= Number(PID_LINE.exec(log)?.[1] ?? Number.NaN) || undefined;
  });
  const killSync = () => {
    try {
      if (child.pid !== undefined) killProcessGroup(child.pid);
    } catch {
      child.kill('SIGKILL');
    }
  };
  const peer: Dom0Peer = {
    name: spec.name,
    get pid() {
      return pid;
    },
    log: () => output.log().replace(PID_LINE, '').trimStart(),
    get exited() {
      return output.exited;
    },
    killSync,
    async stop() {
      if (!output.exited && pid !== undefined) await host.signalGroup(pid, 'SIGKILL').catch(() => false);
      if (!output.exited) killSync();
      await output.done;
    },
  };
  onSpawned(peer);
  const { proto, address, port } = spec.listen;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    // cat, not readFile: the table of the network namespace the host's commands run in.
    const table = await host.exec(['cat', `/proc/net/${proto}`], { timeoutMs: 30_000 }).then(
      (r) => r.stdout,
      () => '',
    );
    if (parseProcNet(table).some((s) => s.address === address && s.port === port && s.state === SERVING_STATE[proto])) return peer;
    if (output.exited || Date.now() > deadline) {
      await peer.stop();
      const why = output.exited ? `it exited (${output.exitText})` : `it did not open ${proto} ${address}:${port} within ${START_TIMEOUT_MS / 1000} s`;
      throw new HvbError(
        'peer-start',
        `peer ${spec.name} ${where} did not start serving: ${why}${peer.log().trim() ? `; it said: ${peer.log().trim().slice(-500)}` : ''}`,
      );
    }
    await sleep(POLL_MS);
  }
}
