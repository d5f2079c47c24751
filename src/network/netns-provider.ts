import type { GuestImage } from '../guest/image.ts';
import type { LocalNetMode } from '../workloads/net-endpoint.ts';
import type { Host } from '../hosts/host.ts';
import { USER_MODE_QUEUES } from './netns-plan.ts';
import { defaultNetMode, openNetwork, type Network } from './netns-plumbing.ts';

export interface NetworkProviderOptions {
  image: GuestImage;
  /** On this machine; default `tap` as root, `user` otherwise (see defaultNetMode). Other hosts always get `tap`. */
  mode?: LocalNetMode;
  debCacheDir?: string;
  stateDir?: string;
  log?: (line: string) => void;
}

/** An opened network as the runner's case setup takes it, plus the dimensions of its samples. */
export type ProvidedNetwork = Network & {
  /** `net_attach: tap | user`: slirp results must never pass for the NIC's. */
  dims: { net_attach: LocalNetMode };
};

/**
 * The runner's network provider (`NetworkProvider` of runner/case-setup.ts): one network
 * per case, on the host the case runs on (this machine, a remote host or a lab), opened
 * before its first boot and closed after its last. The VMM of every repetition must be
 * launched on the returned `host` (inside the namespace for `tap`).
 */
export function createNetworkProvider(options: NetworkProviderOptions): {
  mode: LocalNetMode;
  open(request: { caseId: string; model: string; host: Host; queues?: number }): Promise<ProvidedNetwork>;
  refuses(request: { host: Host; queues?: number }): string | undefined;
} {
  const mode = options.mode ?? defaultNetMode();
  // On another host the network is always a tap in a namespace there (netns-plumbing.ts).
  const modeOn = (host: Host): LocalNetMode => (host.kind === 'local' ? mode : 'tap');
  return {
    mode,
    // A multi-queue NIC needs a multi-queue tap: user-mode networking has one queue.
    refuses: (request) => ((request.queues ?? 1) > 1 && modeOn(request.host) === 'user' ? USER_MODE_QUEUES : undefined),
    async open(request) {
      const network = await openNetwork({
        image: options.image,
        mode: modeOn(request.host),
        host: request.host,
        ...(request.queues === undefined ? {} : { queues: request.queues }),
        ...(options.debCacheDir === undefined ? {} : { debCacheDir: options.debCacheDir }),
        ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
        ...(options.log === undefined ? {} : { log: options.log }),
      });
      return Object.assign(network, { dims: { net_attach: network.mode } });
    },
  };
}
