import { HvbError } from '../util/errors.ts';
import { NIC_WORD } from './net-guest.ts';
import type { GuestStep } from './workload.ts';

/** The step that lists the guest NIC's queues, one `rx-N` and one `tx-N` entry per queue. */
export const NET_QUEUES_STEP = 'net-queues';

/**
 * Lists `/sys/class/net/<nic>/queues`: Linux makes an `rx-N` and a `tx-N` entry for each queue
 * the driver put in use (the real, not the offered, count). virtio_net uses min(vCPUs, offered
 * pairs) by default, so this is the count the measurement ran on.
 */
export function netQueuesStep(): GuestStep {
  return { id: NET_QUEUES_STEP, argv: ['ls', `/sys/class/net/${NIC_WORD}/queues`] };
}

/**
 * The queue pairs in use, from that listing: the number of `rx-N` entries, which must equal
 * the number of `tx-N` entries (every driver hvbench attaches uses them in pairs).
 */
export function parseNetQueues(output: string): number {
  const words = output.split(/\s+/).filter((w) => w !== '');
  const rx = words.filter((w) => /^rx-\d+$/.test(w)).length;
  const tx = words.filter((w) => /^tx-\d+$/.test(w)).length;
  if (rx === 0 || rx !== tx) {
    throw new HvbError(
      'parse',
      `the NIC's queue listing has ${rx} rx and ${tx} tx queues, expected as many of each and at least one: ${JSON.stringify(output.slice(0, 200))}`,
      {
        hint: `the listing of /sys/class/net/<nic>/queues is kept in the repetition log (step ${NET_QUEUES_STEP})`,
      },
    );
  }
  return rx;
}
