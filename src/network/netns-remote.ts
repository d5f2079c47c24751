import { setTimeout as sleep } from 'node:timers/promises';
import type { GuestImage } from '../guest/image.ts';
import type { Host, HostProcess } from '../hosts/host.ts';
import { dom0PeerSpecs, preparePeerRootOn, startDom0Peer, type Dom0Peer } from './dom0-peers.ts';
import { createNetnsWithTap, deleteNetns, IP_FUNCTION, netnsPids } from './netns.ts';
import { NetnsHost } from './netns-host.ts';
import { networkName, selfOwner } from './netns-owner.ts';
import { TAP_PLAN } from './netns-plan.ts';
import { removeStaleRemoteNetworks } from './netns-remote-stale.ts';
import { trackNetwork } from './netns-registry.ts';
import { PEER_ROOT_PREFIX } from './peer-root.ts';
import type { PeerProcess } from './peer-server.ts';

/** How long the keeper may take to end once told to (its cleanup then has nothing left to do). */
const KEEPER_END_MS = 10_000;

/**
 * The keeper of a network on another host: it waits for the end of its ssh channel, then
 * kills what still runs in the namespace ($1), removes the namespace and the peer root ($2).
 * The channel ends when close() ends the keeper's stdin, and also when hvbench is killed,
 * exits on a second Ctrl-C, or loses the connection: so the host is cleaned up in every
 * case without anything synchronous over SSH, and no state file on this machine is needed.
 */
export const KEEPER_SCRIPT = [
  IP_FUNCTION,
  'cat >/dev/null 2>&1',
  'exec >/dev/null 2>&1 </dev/null',
  'for p in $(ip netns pids "$1"); do kill -KILL "$p"; done',
  'ip netns del "$1"',
  'case "$2" in /*) rm -rf -- "$2" ;; esac',
].join('\n');

export interface RemoteNetworkOptions {
  image: GuestImage;
  /** Make the tap with IFF_MULTI_QUEUE, for a NIC with more than one queue pair. */
  multiQueue?: boolean;
  debCacheDir?: string;
  log?: (line: string) => void;
}

/** What openRemoteNetwork makes: the parts of netns-plumbing's Network for a tap network. */
export interface RemoteTapNetwork {
  name: string;
  host: Host;
  netns: string;
  peers: readonly PeerProcess[];
  peerLog(): string;
  close(): Promise<void>;
}

/**
 * A tap network on the host that runs the VMM when that is not this machine (reached over
 * SSH): the same namespace, tap and addresses as a local one (netns-plan.ts), made with
 * that host's `ip`; the peers are the guest image's iperf3 and sockperf, copied there
 * through the host's file cache (dom0-peers.ts preparePeerRootOn) and started inside the
 * namespace. Root on that host is needed, as for a local tap network. What a keeper could
 * not remove (it was killed with its sshd) goes when the next network opens on that host
 * (netns-remote-stale.ts).
 */
export async function openRemoteNetwork(host: Host, options: RemoteNetworkOptions): Promise<RemoteTapNetwork> {
  const removed = await removeStaleRemoteNetworks(host);
  if (removed.length > 0) options.log?.(`removed what earlier runs left on ${host.name}: ${removed.join(', ')}`);
  const name = networkName(selfOwner());
  const dir = await host.makeTempDir(`${PEER_ROOT_PREFIX}${name}-`);
  const keeper = host.spawn(['sh', '-c', KEEPER_SCRIPT, 'hvb-net-keeper', name, dir]);
  const netnsHost = new NetnsHost(host, name);
  const started: Dom0Peer[] = [];
  let closing: Promise<void> | undefined;
  const closeSync = () => {
    for (const p of started) p.killSync();
    // The keeper's channel ends with its ssh: the keeper then removes everything there.
    keeper.kill('SIGKILL');
  };
  const untrack = trackNetwork({ name: `${host.name}:${name}`, close: () => close(), closeSync });
  const close = () =>
    (closing ??= (async () => {
      try {
        await Promise.all(started.map((p) => p.stop()));
        // A VMM still running in the namespace would keep it, and the tap, alive.
        const pids = await netnsPids(host, name);
        if (pids.length > 0) await host.exec(['kill', '-KILL', ...pids.map(String)], { timeoutMs: 30_000 });
        await deleteNetns(host, name);
        await host.removeTree(dir);
      } finally {
        await endKeeper(keeper);
        untrack();
      }
    })());
  try {
    await createNetnsWithTap(host, name, { multiQueue: options.multiQueue === true });
    const root = await preparePeerRootOn(host, options.image, dir, {
      ...(options.debCacheDir ? { debCacheDir: options.debCacheDir } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
    const where = `in namespace ${name} on ${host.name}`;
    for (const spec of dom0PeerSpecs(root, TAP_PLAN.peer, TAP_PLAN.ports)) await startDom0Peer(netnsHost, spec, (p) => started.push(p), where);
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  return {
    name,
    host: netnsHost,
    netns: name,
    peers: started.map(asPeerProcess),
    peerLog: () => started.map((p) => `--- peer ${p.name} on ${host.name} (pid ${p.pid ?? '?'}) ---\n${p.log().trimEnd()}`).join('\n'),
    close,
  };
}

/** Ends the keeper's channel and waits a while for it to finish (it then has nothing left to remove). */
async function endKeeper(keeper: HostProcess): Promise<void> {
  // A keeper whose ssh is already gone: its pipe may say EPIPE, which changes nothing.
  keeper.stdin?.on('error', () => {});
  keeper.stdin?.end();
  const ended = await Promise.race([keeper.exited.then(() => true), sleep(KEEPER_END_MS).then(() => false)]);
  if (!ended) keeper.kill('SIGKILL');
}

/** A remote peer as the Network lists it: its pid on that host; no start time (no state file records it). */
function asPeerProcess(p: Dom0Peer): PeerProcess {
  return {
    name: p.name,
    pid: p.pid ?? 0,
    start: 0,
    log: () => p.log(),
    get exited() {
      return p.exited;
    },
    stop: () => p.stop(),
    killSync: () => p.killSync(),
  };
}
