import type { Host } from '../../hosts/host.ts';
import { HvbError } from '../../util/errors.ts';

const READ_TIMEOUT_MS = 30_000;

/**
 * The host kernel's own words for its TSC rate, most exact first: the rate it refined
 * against a reference clock, the rate it detected at boot, the rate CPUID or the hypervisor
 * told it (`tsc_known_freq` hosts print only the second).
 */
const TSC_LINES = [/tsc: Refined TSC clocksource calibration: (\d+(?:\.\d+)?) MHz/, /tsc: Detected (\d+(?:\.\d+)?) MHz (?:processor|TSC)/];

/** Reads the kernel log: dmesg, or the journal's kernel messages of this boot when dmesg is refused or has rotated. */
const KERNEL_LOG = [
  'sh',
  '-c',
  "{ dmesg 2>/dev/null; journalctl -k -b -o cat 2>/dev/null; } | grep -E 'tsc: (Refined TSC clocksource calibration|Detected [0-9.]+ MHz)'",
  'sh',
];

const cache = new Map<string, number>();
const trusted = new Map<string, number | undefined>();

/** Where a Linux host says which clock source it uses. */
export const CURRENT_CLOCKSOURCE = '/sys/devices/system/clocksource/clocksource0/current_clocksource';

/**
 * The kernel command-line words that tell a TCG guest its TSC rate and that its TSC is to
 * be trusted. TCG's TSC is the host's (QEMU reads the host's TSC for every vCPU), so it runs
 * at the host's rate, in step on every vCPU. Without them the guest calibrates the rate
 * against emulated timers, and under TCG's uneven timing its kernel throws the TSC out for
 * the HPET: at boot on a guest of 2 vCPUs or more (its TSC sync check sees a "warp" when a
 * vCPU thread is descheduled) and on a busy host (the clocksource watchdog's HPET read-back
 * takes too long), so the same case ran on `tsc` one time and `hpet` the next, whose every
 * read is an emulated MMIO access.
 */
export function tcgTscKernelArgs(khz: number): string[] {
  return [`tsc_early_khz=${khz}`, 'tsc=reliable'];
}

/**
 * The host's TSC rate in kHz when its TSC is one to trust (the host's own kernel keeps `tsc`
 * as its clock source), else undefined (its clock source is another, or the rate is not in
 * its kernel log). Read once per host; never throws.
 */
export async function trustedHostTscKhz(host: Host): Promise<number | undefined> {
  if (trusted.has(host.name)) return trusted.get(host.name);
  let khz: number | undefined;
  try {
    const clocksource = (await host.readFile(CURRENT_CLOCKSOURCE)).trim();
    khz = clocksource === 'tsc' ? await hostTscKhz(host) : undefined;
  } catch {
    khz = undefined;
  }
  trusted.set(host.name, khz);
  return khz;
}

/**
 * The TSC rate of a host in kHz, from its kernel's boot messages (read once per host).
 * Under TCG a guest's TSC counts at this rate: QEMU reads the host's TSC for it.
 */
export async function hostTscKhz(host: Host): Promise<number> {
  const known = cache.get(host.name);
  if (known !== undefined) return known;
  const result = await host.exec(KERNEL_LOG, { timeoutMs: READ_TIMEOUT_MS });
  const khz = parseTscKhz(result.stdout);
  if (khz === undefined) {
    throw new HvbError(
      'host-tsc-unknown',
      `cannot read the TSC rate of host ${host.name}: its kernel log (dmesg, journalctl -k) has no "tsc: Detected … MHz" line`,
      {
        hint: 'run hvbench as a user who may read the kernel log (kernel.dmesg_restrict), or choose another machine type than microvm under TCG',
      },
    );
  }
  cache.set(host.name, khz);
  return khz;
}

/** The TSC rate in kHz from kernel log lines, or undefined when none names it. Exported for tests. */
export function parseTscKhz(log: string): number | undefined {
  for (const line of TSC_LINES) {
    const mhz = line.exec(log)?.[1];
    if (mhz !== undefined) return Math.round(Number(mhz) * 1000);
  }
  return undefined;
}
