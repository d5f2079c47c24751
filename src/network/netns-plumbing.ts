import { rmSync } from 'node:fs';
import type { GuestImage } from '../guest/image.ts';
import { HvbError } from '../util/errors.ts';
import type { NetEndpoint, LocalNetMode } from '../workloads/net-endpoint.ts';
import type { Host } from '../hosts/host.ts';
import { LocalHost } from '../hosts/local.ts';
import { createNetnsWithTap, deleteNetns, deleteNetnsSync, killNetnsPidsSync, netnsPids } from './netns.ts';
import { NetnsHost } from './netns-host.ts';
import { openRemoteNetwork } from './netns-remote.ts';
import { killQuietly } from '../util/proc.ts';
import { networkName, selfOwner } from './netns-owner.ts';
import { tapEndpoint, TAP_PLAN, USER_MODE_QUEUES, userEndpoint } from './netns-plan.ts';
import { trackNetwork } from './netns-registry.ts';
import { PEER_ROOT_PREFIX, preparePeerRoot } from './peer-root.ts';
import type { PeerProcess } from './peer-server.ts';
import { startPeers } from './peer-set.ts';
import { defaultStateDir, removeNetworkState, writeNetworkState, type NetworkState } from './peer-state.ts';

export interface OpenNetworkOptions {
  image: GuestImage;
  /** Default: defaultNetMode(). */
  mode?: LocalNetMode;
  /** The machine that runs the VMM: this one, or a remote host or lab reached over SSH. Default: a LocalHost. */
  host?: Host;
  /** Where the image's packages are unpacked. Default: the image cache. */
  debCacheDir?: string;
  /** Where state files for crash recovery go (this machine's networks only). Default: `<cache>/net`. */
  stateDir?: string;
  /** Queue pairs of the NIC that attaches: more than one needs a multi-queue tap (never user mode). Default 1. */
  queues?: number;
  log?: (line: string) => void;
}

/** One guest network: where the VMM runs, how its NIC attaches, and where the guest finds its peers. */
export interface Network {
  name: string;
  mode: LocalNetMode;
  /** Launch the VMM on this host: inside the namespace for `tap`. */
  host: Host;
  /** The attachment of the VmSpec's NIC. */
  attach: { kind: 'tap'; ifname: string } | { kind: 'user' };
  /** For the net workload's command. */
  endpoint: NetEndpoint;
  netns: string | undefined;
  peers: readonly PeerProcess[];
  /** What the peers printed, for the repetition log. */
  peerLog(): string;
  /** Stops the peers (and anything else left in the namespace), removes the namespace with its tap. Idempotent. */
  close(): Promise<void>;
}

/** `tap` as root, `user` (slirp, labelled as such) otherwise. */
export function defaultNetMode(): LocalNetMode {
  return process.getuid?.() === 0 ? 'tap' : 'user';
}

/**
 * A network on another host: always `tap` (user-mode peers would listen on that host's
 * loopback, with ports chosen here), and recovered after a crash by its keeper there
 * (netns-remote.ts) instead of a state file here.
 */
async function openNetworkOn(host: Host, options: OpenNetworkOptions): Promise<Network> {
  if (options.mode === 'user') {
    throw new HvbError('net-host', `user-mode networking is built on the local machine only; host "${host.name}" is ${host.kind}`, {
      hint: 'network cases on another host use a tap in a namespace there, which needs root on that host',
    });
  }
  const network = await openRemoteNetwork(host, {
    image: options.image,
    multiQueue: (options.queues ?? 1) > 1,
    ...(options.debCacheDir ? { debCacheDir: options.debCacheDir } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  return { ...network, mode: 'tap', attach: { kind: 'tap', ifname: TAP_PLAN.tap }, endpoint: tapEndpoint() };
}

/**
 * Opens a network for one guest, on the host that runs its VMM (another host: see openNetworkOn): for `tap`, a namespace `hvb-<pid>-<start>-<tag>` with a tap
 * and the peers inside it; for `user`, the peers on the host's loopback. The peers are the
 * guest image's own iperf3 and sockperf. Until close(), the network is in the live registry
 * and described by a state file, so an interrupted or crashed run leaves nothing behind for
 * long (closeAllNetworksSync, cleanLeftovers).
 */
export async function openNetwork(options: OpenNetworkOptions): Promise<Network> {
  const host = options.host ?? new LocalHost();
  if (host.kind !== 'local') return openNetworkOn(host, options);
  const mode = options.mode ?? defaultNetMode();
  const multiQueue = (options.queues ?? 1) > 1;
  if (multiQueue && mode === 'user') throw new HvbError('net-queues', `${USER_MODE_QUEUES}: ${options.queues} queue pairs asked`);
  const stateDir = options.stateDir ?? defaultStateDir();
  const owner = selfOwner();
  const name = networkName(owner);
  const tempDir = await host.makeTempDir(PEER_ROOT_PREFIX);
  const state: NetworkState = { name, mode, owner, tempDir, peers: [], ...(mode === 'tap' ? { netns: name } : {}) };
  const peers: PeerProcess[] = [];
  let closing: Promise<void> | undefined;

  const closeSync = () => {
    for (const p of peers) p.killSync();
    if (mode === 'tap') {
      killNetnsPidsSync(name);
      deleteNetnsSync(name);
    }
    rmSync(tempDir, { recursive: true, force: true });
    removeNetworkState(stateDir, name);
  };
  const untrack = trackNetwork({ name, close: () => close(), closeSync });
  const close = () =>
    (closing ??= (async () => {
      await Promise.all(peers.map((p) => p.stop()));
      if (mode === 'tap') {
        // A VMM still running in the namespace would keep it, and the tap, alive.
        for (const pid of await netnsPids(host, name)) killQuietly(pid);
        await deleteNetns(host, name);
      }
      await host.removeTree(tempDir);
      removeNetworkState(stateDir, name);
      untrack();
    })());

  try {
    await writeNetworkState(stateDir, state);
    const root = await preparePeerRoot(options.image, tempDir, {
      ...(options.debCacheDir ? { debCacheDir: options.debCacheDir } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    if (mode === 'tap') await createNetnsWithTap(host, name, { multiQueue });
    const peerHost = mode === 'tap' ? new NetnsHost(host, name) : host;
    const record = async () => {
      state.peers = peers.map((p) => ({ name: p.name, pid: p.pid, start: p.start }));
      await writeNetworkState(stateDir, state);
    };
    const started = await startPeers(peerHost, root, mode, {
      spawned: async (peer) => {
        peers.push(peer);
        await record();
      },
      failed: async (peer) => {
        peers.splice(peers.indexOf(peer), 1);
        await record();
      },
    });
    return {
      name,
      mode,
      host: peerHost,
      attach: mode === 'tap' ? { kind: 'tap', ifname: TAP_PLAN.tap } : { kind: 'user' },
      endpoint: mode === 'tap' ? tapEndpoint() : userEndpoint(started.ports),
      netns: mode === 'tap' ? name : undefined,
      peers,
      peerLog: () => peers.map((p) => `--- peer ${p.name} (pid ${p.pid}) ---\n${p.log().trimEnd()}`).join('\n'),
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
