import type { VmExit } from '../common/backend.ts';
import { shutdownReasonName } from './info.ts';

/**
 * The VmExit for a guest that stopped itself, from Xen's shutdown reason code (the cause is
 * Xen's own word). A Linux PV or PVH guest that panics tells Xen `crash` (its panic
 * notifier), also with `panic=-1`; an HVM guest that panics with `panic=-1` resets the
 * emulated PC, which Xen reports as `reboot`.
 */
export function xenExit(code: number): VmExit {
  const cause = shutdownReasonName(code);
  switch (cause) {
    case 'poweroff':
      return { kind: 'shutdown', reason: 'guest powered off', cause };
    case 'reboot':
      return { kind: 'shutdown', reason: 'guest rebooted (an HVM guest that panics with panic=-1 reboots)', cause };
    case 'crash':
      return { kind: 'shutdown', reason: 'guest crashed (kernel panic)', cause };
    case 'watchdog':
      return { kind: 'shutdown', reason: 'guest stopped by its watchdog', cause };
    default:
      return { kind: 'shutdown', reason: `guest stopped with Xen shutdown reason ${cause}`, cause };
  }
}
