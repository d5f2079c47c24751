import type { GuestImage } from '../guest/image.ts';
import type { NetEndpoint } from '../workloads/net-endpoint.ts';
import { bridgeName, createBridge, deleteBridge, DOM0_PREFIX_LENGTH, freeBlock, removeStaleBridges, usedAddresses } from './dom0-bridge.ts';
import { dom0PeerSpecs, preparePeerRootOn, startDom0Peer, type Dom0Peer } from './dom0-peers.ts';
import type { Host } from '../hosts/host.ts';
import { TAP_PLAN } from './netns-plan.ts';
import { trackNetwork } from './netns-registry.ts';
import { PEER_ROOT_PREFIX } from './peer-root.ts';

/** One case's network in a dom0, in the shape the runner's case setup takes (runner/case-setup.ts OpenNetwork). */
export interface Dom0Network {
  bridge: string;
  /** The xl vif joins this bridge. */
  attach: { kind: 'bridge'; bridge: string };
  endpoint: NetEndpoint;
  dims: { net_attach: 'bridge' };
  /** The dom0: the case's domains are created there. */
  host: Host;
  peerLog(): string;
  close(): Promise<void>;
}

export interface Dom0NetworkOptions {
  image: GuestImage;
  debCacheDir?: string;
  log?: (line: string) => void;
}

/**
 * The network of one Xen case, made in its dom0: a bridge of its own with the peers'
 * address (dom0-bridge.ts), and the guest image's iperf3 and sockperf serving on it
 * (dom0-peers.ts). The case's vif joins the bridge (xl's `vif = [ 'bridge=…' ]`, through
 * the vif-bridge hotplug script). close() stops the peers, deletes the bridge and the peer
 * root; an hvbench that dies leaves the peers to the dom0 side of their spawn (they end
 * with their SSH channel) and the bridge to the next network opened on that dom0.
 */
export async function openDom0Network(host: Host, options: Dom0NetworkOptions): Promise<Dom0Network> {
  const log = options.log ?? (() => {});
  const addresses = await usedAddresses(host);
  const stale = await removeStaleBridges(host, addresses);
  if (stale.length > 0) log(`removed ${stale.length} bridge(s) left in dom0 of ${host.name} by an earlier run: ${stale.join(', ')}`);
  const block = freeBlock(new Set([...addresses.values()].flat()));
  const bridge = bridgeName();
  const peers: Dom0Peer[] = [];
  let dir: string | undefined;
  let closing: Promise<void> | undefined;
  const closeSync = () => {
    for (const p of peers) p.killSync();
  };
  const untrack = trackNetwork({ name: `${host.name}:${bridge}`, close: () => close(), closeSync });
  const close = () =>
    (closing ??= (async () => {
      await Promise.all(peers.map((p) => p.stop()));
      await deleteBridge(host, bridge);
      if (dir !== undefined) await host.removeTree(dir).catch(() => {});
      untrack();
    })());
  try {
    await createBridge(host, bridge, block);
    dir = await host.makeTempDir(PEER_ROOT_PREFIX);
    const root = await preparePeerRootOn(host, options.image, dir, { ...(options.debCacheDir ? { debCacheDir: options.debCacheDir } : {}), log });
    for (const spec of dom0PeerSpecs(root, block.peer, TAP_PLAN.ports)) await startDom0Peer(host, spec, (p) => peers.push(p));
  } catch (error) {
    await close();
    throw error;
  }
  const endpoint: NetEndpoint = { mode: 'bridge', guestCidr: `${block.guest}/${DOM0_PREFIX_LENGTH}`, peer: block.peer, ports: { ...TAP_PLAN.ports } };
  return {
    bridge,
    attach: { kind: 'bridge', bridge },
    endpoint,
    dims: { net_attach: 'bridge' },
    host,
    peerLog: () => peers.map((p) => `--- peer ${p.name} in dom0 (pid ${p.pid ?? '?'}) ---\n${p.log().trimEnd()}`).join('\n'),
    close,
  };
}

/** The runner's network provider for Xen cases: each case's network in the dom0 it runs on. */
export function createDom0NetworkProvider(options: Dom0NetworkOptions): { open(request: { caseId: string; model: string; host: Host }): Promise<Dom0Network> } {
  return { open: (request) => openDom0Network(request.host, options) };
}
