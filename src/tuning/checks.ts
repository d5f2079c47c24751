import { PROFILE_KEYS, PROFILE_LABELS, isAvailable, readingValue, type HostProfile, type ProfileKey, type Reading } from './profile.ts';

/**
 * What in a host's profile is off for benchmarking, each with the fix. Only what moves
 * figures from one repetition or one run to the next is flagged: a governor that changes the
 * clock under load, turbo (its clock depends on temperature and on the other cores),
 * irqbalance moving interrupts during a repetition, swap in use. THP is not wrong in any one
 * mode, but runs compared must share it: `always` is flagged as the mode most likely to
 * differ from another host's default (`madvise`).
 */
export interface TuningFinding {
  key: ProfileKey;
  /** What is off, e.g. `governor is powersave, not performance`. */
  problem: string;
  /** How to set it right (a command for root, or `hvbench run --stabilize`). */
  fix: string;
}

export function tuningFindings(p: HostProfile): TuningFinding[] {
  const out: TuningFinding[] = [];
  const governor = readingValue(p.governor);
  if (governor !== undefined && governor !== 'performance')
    out.push({
      key: 'governor',
      problem: `the CPU frequency governor is ${governor}, not performance: the clock follows the load`,
      fix: 'hvbench run --stabilize (sets performance for the run), or: cpupower frequency-set -g performance',
    });
  if (readingValue(p.turbo) === 'on')
    out.push({
      key: 'turbo',
      problem: 'turbo is on: the clock depends on temperature and on how many cores are busy',
      fix: `hvbench run --stabilize (turns it off for the run), or: ${isAvailable(p.turbo) && p.turbo.detail?.startsWith('intel_pstate') ? 'echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo' : 'echo 0 > /sys/devices/system/cpu/cpufreq/boost'}`,
    });
  if (readingValue(p.thp) === 'always')
    out.push({
      key: 'thp',
      problem: 'transparent huge pages are "always": figures compared with a host or run on madvise (the usual default) differ by it',
      fix: 'hvbench run --stabilize (sets madvise for the run; QEMU still asks for huge pages for guest memory), or: echo madvise > /sys/kernel/mm/transparent_hugepage/enabled',
    });
  if (readingValue(p.irqbalance) === 'running')
    out.push({
      key: 'irqbalance',
      problem: 'irqbalance is running: it moves interrupts between CPUs while a repetition runs',
      fix: 'systemctl stop irqbalance (and start it again after the runs)',
    });
  if (readingValue(p.swap) === 'in use')
    out.push({
      key: 'swap',
      problem: `swap is in use (${isAvailable(p.swap) ? p.swap.detail : ''}): pages of the VMM or the guest may be swapped out`,
      fix: 'free memory, or: swapoff -a && swapon -a (moves swapped pages back; needs enough free memory)',
    });
  return out;
}

/** One line per setting: `label: value (detail)` or `label: not available here: why`. */
export function profileLines(p: HostProfile): string[] {
  return PROFILE_KEYS.map((k) => `${PROFILE_LABELS[k]}: ${readingText(p[k])}`);
}

export function readingText(r: Reading): string {
  return isAvailable(r) ? `${r.value}${r.detail ? ` (${r.detail})` : ''}` : `not available here: ${r.unavailable}`;
}

/** The settings whose value differs between two readings of a host (e.g. before and after a run). */
export function profileChanges(before: HostProfile, after: HostProfile): string[] {
  const out: string[] = [];
  for (const k of PROFILE_KEYS) {
    const a = before[k];
    const b = after[k];
    if (!a || !b) continue;
    const va = isAvailable(a) ? a.value : undefined;
    const vb = isAvailable(b) ? b.value : undefined;
    if (va !== vb) out.push(`${PROFILE_LABELS[k]}: ${va ?? 'not available'} → ${vb ?? 'not available'}`);
  }
  return out;
}
