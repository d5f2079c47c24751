import { createServer } from 'node:net';
import type { LocalNetMode, PeerPorts } from '../workloads/net-endpoint.ts';
import { isHvbError } from '../util/errors.ts';
import type { Host } from '../hosts/host.ts';
import { TAP_PLAN, USER_PLAN } from './netns-plan.ts';
import type { PeerRoot } from './peer-root.ts';
import { startPeer, type PeerProcess, type PeerSpec } from './peer-server.ts';

/** Tries per peer when its port, chosen free on the host's loopback, was taken meanwhile. */
const PORT_TRIES = 3;

/**
 * The three peer servers of the net workload: iperf3, and sockperf for UDP and for TCP.
 * `tap`: on the tap's address with fixed ports, inside the namespace (through `host`).
 * `user`: on 127.0.0.1 with free ports, on the host itself.
 * `record` is told of each process as soon as it exists, and of each that failed to start
 * (it is stopped then), so that the caller's record of what runs is never behind.
 */
export async function startPeers(
  host: Host,
  root: PeerRoot,
  mode: LocalNetMode,
  record: { spawned(peer: PeerProcess): Promise<void>; failed(peer: PeerProcess): Promise<void> },
): Promise<{ peers: PeerProcess[]; ports: PeerPorts }> {
  const address = mode === 'tap' ? TAP_PLAN.peer : USER_PLAN.hostListen;
  const specs: ((port: number) => PeerSpec)[] = [
    (port) => ({
      name: 'iperf3',
      argv: root.argv('iperf3', ['-s', '-B', address, '-p', String(port), '--forceflush']),
      listen: { proto: 'tcp', address, port },
    }),
    (port) => ({ name: 'sockperf-udp', argv: root.argv('sockperf', ['server', '-i', address, '-p', String(port)]), listen: { proto: 'udp', address, port } }),
    (port) => ({
      name: 'sockperf-tcp',
      argv: root.argv('sockperf', ['server', '--tcp', '-i', address, '-p', String(port)]),
      listen: { proto: 'tcp', address, port },
    }),
  ];
  const fixed = [TAP_PLAN.ports.iperf3, TAP_PLAN.ports.sockperfUdp, TAP_PLAN.ports.sockperfTcp];
  const peers: PeerProcess[] = [];
  const ports: number[] = [];
  try {
    for (const [i, spec] of specs.entries()) {
      for (let attempt = 1; ; attempt++) {
        const port = mode === 'tap' ? (fixed[i] as number) : await freeLoopbackPort();
        let spawned: PeerProcess | undefined;
        try {
          const peer = await startPeer(host, spec(port), (p) => record.spawned((spawned = p)));
          peers.push(peer);
          ports.push(port);
          break;
        } catch (error) {
          if (spawned) await record.failed(spawned);
          if (mode === 'tap' || attempt >= PORT_TRIES || !isHvbError(error) || error.code !== 'peer-start') throw error;
        }
      }
    }
  } catch (error) {
    await Promise.all(peers.map((p) => p.stop()));
    throw error;
  }
  return { peers, ports: { iperf3: ports[0] as number, sockperfUdp: ports[1] as number, sockperfTcp: ports[2] as number } };
}

/** A TCP port nothing listens on at this moment (the kernel's choice for port 0). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, USER_PLAN.hostListen, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port was assigned'))));
    });
  });
}
