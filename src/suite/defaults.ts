/**
 * Defaults for the optional fields of a suite file. Plain constants so the README, the
 * schema and the tests all read the same values.
 */

/** Virtual CPUs of the guest when `guest.vcpus` is not given. */
export const DEFAULT_VCPUS = 1;

/** Guest memory in MiB when `guest.memoryMiB` is not given. */
export const DEFAULT_MEMORY_MIB = 512;

/** Backends a suite runs on when `backends` is not given: TCG runs on any host. */
export const DEFAULT_BACKENDS: readonly string[] = ['tcg'];

/**
 * Measured repetitions per case when `repetitions` is not given: enough for `hvbench compare`
 * to detect a 5 % change at 2 % CV with about 97 % power (see docs/statistics.md); with 3 a
 * side no comparison can ever be significant at p < 0.01.
 */
export const DEFAULT_REPETITIONS = 10;

/** Warm-up repetitions per case (run, then discarded) when `warmup` is not given. */
export const DEFAULT_WARMUP = 0;

/** Description when none is given. */
export const DEFAULT_DESCRIPTION = '';

/** A suite that expands to more cases than this is refused (almost surely a typo). */
export const MAX_CASES = 10_000;

/** Smallest guest memory accepted: below this the Debian kernel does not boot. */
export const MIN_MEMORY_MIB = 64;

/** Most vCPUs accepted (QEMU's default machine limit is 255 without an IOMMU). */
export const MAX_VCPUS = 255;

/** Longest `timeoutSec` accepted: Node.js timers hold at most 2^31 − 1 ms, and a longer one fires at once. */
export const MAX_TIMEOUT_SEC = Math.floor((2 ** 31 - 1) / 1000);

/**
 * Upper bounds of the counts and sizes of a suite: far above any sensible suite, they stop a
 * typo (`repetitions: 1e9`, `memoryMiB: 1e12`) at the suite file instead of hours later.
 */
/** Most measured repetitions per case (`repetitions`, `maxRepetitions`): each boots a guest. */
export const MAX_REPETITIONS = 1000;

/** Most warm-up repetitions per case. */
export const MAX_WARMUP = 100;

/** Largest guest memory in MiB: 1 TiB. */
export const MAX_MEMORY_MIB = 1_048_576;

/** Longest `timeBudgetSec`: a week. */
export const MAX_TIME_BUDGET_SEC = 7 * 24 * 3600;

/** How long a suite file may take to load (its top-level code) before it is given up. */
export const SUITE_LOAD_TIMEOUT_MS = 20_000;

/** Guests one density case boots at once on one host (`guests: N`). */
export const MAX_GUESTS = 64;
