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
 * After a `STOP` event: the run states in which QEMU stopped the guest for good and will
 * not go on by itself. `internal-error` is what a KVM emulation failure leaves behind
 * (QEMU stays alive, paused, forever); `io-error` a disk error with the default
 * `werror=enospc`/`rerror=report` policies (e.g. the host file system is full).
 */
export function stoppedStatusCause(status: string | undefined): string | undefined {
  if (status === 'internal-error' || status === 'io-error') return status;
  if (status === 'guest-panicked') return 'guest-panic';
  return undefined;
}

/**
 * The `reason` of a shutdown VmExit for a QEMU cause. A reboot shows up as `guest-reset`:
 * with -no-reboot a reboot stops the VM, and a kernel that panics with `panic=N` reboots,
 * so the two cannot be told apart here (the console says which).
 */
export function describeGuestStop(cause: string): string {
  if (cause === 'guest-reset') return 'guest rebooted or panicked (no-reboot)';
  if (cause === 'internal-error') return 'QEMU stopped the guest on an internal error (internal-error)';
  if (cause === 'io-error') return 'QEMU stopped the guest on a disk I/O error (io-error)';
  return cause;
}
