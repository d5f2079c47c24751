/**
 * The guest's own view of its hypervisor. The agent reports, for every job, what the
 * guest kernel detected (`hypervisor`: the word after "Hypervisor detected:" in its
 * dmesg, spaces as `_`, or `none`) and its clock source (`clocksource`, from sysfs).
 */

/** The `hypervisor` fact of a Linux guest running under KVM ("Hypervisor detected: KVM"). */
export const KVM_GUEST_HYPERVISOR = 'KVM';

/**
 * Why the guest's facts contradict "this guest runs under KVM", or undefined when they
 * agree. QMP's `query-kvm` speaks for QEMU; this speaks for the guest kernel, which finds
 * KVM by its CPUID signature.
 */
export function checkKvmGuest(facts: Readonly<Record<string, string>>): string | undefined {
  const seen = facts['hypervisor'];
  if (seen === undefined) {
    return 'the guest did not report which hypervisor its kernel detected (an image older than this hvbench: rebuild it with `hvbench image build`)';
  }
  if (seen === KVM_GUEST_HYPERVISOR) return undefined;
  const what = seen === 'none' ? 'no hypervisor at all' : `hypervisor "${seen}"`;
  return `QEMU confirmed KVM, but the guest kernel detected ${what} (dmesg "Hypervisor detected"), not ${KVM_GUEST_HYPERVISOR}`;
}
