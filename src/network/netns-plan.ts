import type { NetEndpoint, PeerPorts } from '../workloads/net-endpoint.ts';

/**
 * The addresses of hvbench's guest networks. See docs/network.md.
 *
 * With a tap device, every repetition gets its own network namespace holding only `lo`
 * and the tap; 10.213.0.0/30 exists only inside it (peer .1 on the tap, guest .2), so the
 * same block serves any number of namespaces at once and no packet can leave for another
 * network: the namespace has no other interface and no route.
 *
 * With user-mode networking (slirp), the guest has QEMU's default 10.0.2.15/24, and
 * 10.0.2.2 is QEMU's alias for the host's loopback, where the peers listen on 127.0.0.1.
 */
export const NETNS_PREFIX = 'hvb-';

export const TAP_PLAN = {
  /** The tap's name inside the namespace (the namespace makes it unique). */
  tap: 'hvb-tap0',
  block: '10.213.0.0/30',
  peer: '10.213.0.1',
  guest: '10.213.0.2',
  prefixLength: 30,
  /** Fixed ports: nothing else listens in a private namespace. */
  ports: { iperf3: 5201, sockperfUdp: 11111, sockperfTcp: 11112 } satisfies PeerPorts,
} as const;

export const USER_PLAN = {
  guest: '10.0.2.15',
  prefixLength: 24,
  /** Where slirp sends the guest's traffic for 10.0.2.2 on the host. */
  hostListen: '127.0.0.1',
  peer: '10.0.2.2',
} as const;

/**
 * Why user-mode networking cannot serve a multi-queue NIC: slirp is one queue inside QEMU, and
 * QEMU's `-netdev user` has no `queues`. Only a tap made with IFF_MULTI_QUEUE can (root).
 */
export const USER_MODE_QUEUES =
  "a multi-queue NIC needs a multi-queue tap, and this case's network is QEMU's user-mode networking (slirp, a single queue; a tap needs root)";

export function tapEndpoint(): NetEndpoint {
  return {
    mode: 'tap',
    guestCidr: `${TAP_PLAN.guest}/${TAP_PLAN.prefixLength}`,
    peer: TAP_PLAN.peer,
    ports: { ...TAP_PLAN.ports },
  };
}

/** Ports are chosen free on the host's loopback when the peers start. */
export function userEndpoint(ports: PeerPorts): NetEndpoint {
  return {
    mode: 'user',
    guestCidr: `${USER_PLAN.guest}/${USER_PLAN.prefixLength}`,
    peer: USER_PLAN.peer,
    ports: { ...ports },
  };
}
