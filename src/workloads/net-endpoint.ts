/**
 * How the guest reaches its network peers: filled in by the host-side plumbing
 * (network/netns-plumbing.ts) for one case, read by the net workload to build the guest's
 * job. Everything in it ends up as words of that job. The guest's interface itself is
 * not named here: the agent finds it (`probe nic`) and steps refer to it as `@nic`.
 */

/**
 * `tap`: a tap device in a private network namespace (root). `user`: QEMU user-mode
 * networking (slirp). `bridge`: a Xen vif on a bridge of its own in dom0, the peers in dom0.
 */
export type NetMode = LocalNetMode | 'bridge';
/** The modes hvbench builds on the machine it runs on (network/netns-plumbing.ts). */
export type LocalNetMode = 'tap' | 'user';

export interface PeerPorts {
  iperf3: number;
  sockperfUdp: number;
  sockperfTcp: number;
}

export interface NetEndpoint {
  mode: NetMode;
  /** The guest's address with its prefix length, e.g. `10.213.0.2/30`. */
  guestCidr: string;
  /** The peers' address as the guest sees it. */
  peer: string;
  ports: PeerPorts;
}
