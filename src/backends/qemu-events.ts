import type { QmpEvent } from './qmp.ts';

/**
 * The QMP events that mean "the guest stopped by itself", with QEMU's cause:
 * `SHUTDOWN` with `guest: true` (reason `guest-shutdown`, `guest-reset` — a reboot
 * turned into a stop by -no-reboot —, `guest-panic`, …) and `GUEST_PANICKED` (pvpanic).
 * Host-initiated shutdowns (our `quit`, a signal to QEMU) are not guest stops: the
 * process exit reports them.
 */
export function guestStopCause(event: QmpEvent): string | undefined {
  if (event.event === 'GUEST_PANICKED') return 'guest-panic';
  if (event.event !== 'SHUTDOWN') return undefined;
  const reason = typeof event.data['reason'] === 'string' ? event.data['reason'] : 'unknown';
  const byGuest = event.data['guest'] === true || reason.startsWith('guest-');
  return byGuest ? reason : undefined;
}

/**
 * The `reason` of a shutdown VmExit for a QEMU cause. A reboot shows up as `guest-reset`:
 * with -no-reboot a reboot stops the VM, and a kernel that panics with `panic=N` reboots,
 * so the two cannot be told apart here (the console says which).
 */
export function describeGuestStop(cause: string): string {
  if (cause === 'guest-reset') return 'guest rebooted or panicked (no-reboot)';
  return cause;
}
