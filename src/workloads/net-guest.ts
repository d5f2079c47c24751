import type { NetEndpoint } from './net-endpoint.ts';
import type { GuestStep } from './workload.ts';

/** The guest's NIC in step words: the agent replaces it with the interface its `probe nic` found. */
export const NIC_WORD = '@nic';

/** Seconds the guest waits for its first answer from the peer (e1000 needs ~3 s for link-up). */
export const PEER_WAIT_SEC = 15;

/**
 * Steps that give the guest's interface its address, bring it up and wait until the peer
 * answers: busybox `ip` (run as argument lists, like every step), then one `ping` that
 * retries each second up to its deadline. A guest that cannot reach its peer fails here,
 * with ping's output in the log, instead of inside a measurement.
 */
export function netSetupSteps(ep: NetEndpoint): GuestStep[] {
  return [
    { id: 'net-addr', argv: ['ip', 'addr', 'add', ep.guestCidr, 'dev', NIC_WORD] },
    { id: 'net-up', argv: ['ip', 'link', 'set', NIC_WORD, 'up'] },
    { id: 'net-wait', argv: ['ping', '-c', '1', '-w', String(PEER_WAIT_SEC), ep.peer] },
  ];
}
