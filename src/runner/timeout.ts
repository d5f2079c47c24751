/** Seconds allowed for booting the guest to the agent's `ready` under software emulation. */
export const BOOT_ALLOWANCE_SEC = 120;

/**
 * The per-repetition timeout when the suite does not set one: a generous boot allowance plus
 * three times what the workload says it needs (TCG on a busy 2-core machine is slow).
 */
export function caseTimeoutSec(expectedSeconds: number, suiteTimeoutSec?: number): number {
  if (suiteTimeoutSec !== undefined) return suiteTimeoutSec;
  return Math.ceil(BOOT_ALLOWANCE_SEC + 3 * expectedSeconds);
}
