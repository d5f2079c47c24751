import { HvbError } from '../../util/errors.ts';
import type { QemuDomainType } from './domain-xml.ts';
import type { Virsh } from './virsh.ts';

/** What a running domain's QEMU says it accelerates with. */
export interface LibvirtAccel {
  accel: 'kvm' | 'tcg' | 'unknown';
  /** QEMU's answers, for errors and logs. */
  evidence: string;
}

/** The accelerator each domain type must run: `kvm` domains KVM, `qemu` domains TCG. */
export const DOMAIN_ACCEL: Readonly<Record<QemuDomainType, 'kvm' | 'tcg'>> = { kvm: 'kvm', qemu: 'tcg' };

/**
 * Decides from QEMU's own answers, as the direct QEMU backends do: `query-kvm` with
 * `enabled: true` is KVM; otherwise an `info jit` that prints translation-buffer statistics
 * is TCG (without TCG it prints "JIT information is only available with accel=tcg").
 */
export function classifyLibvirtAccel(queryKvm: string, infoJit: string): LibvirtAccel {
  let kvm: { enabled?: boolean; present?: boolean } | undefined;
  try {
    kvm = (JSON.parse(queryKvm) as { return?: { enabled?: boolean; present?: boolean } }).return;
  } catch {
    kvm = undefined;
  }
  const said = [kvm ? `query-kvm: present=${kvm.present}, enabled=${kvm.enabled}` : `query-kvm: ${queryKvm.trim() || '(no answer)'}`];
  if (kvm?.enabled === true) return { accel: 'kvm', evidence: said.join('; ') };
  said.push(`info jit: ${infoJit.trim().split(/\r?\n/)[0]?.trim() || '(no answer)'}`);
  if (/Translation buffer/i.test(infoJit)) return { accel: 'tcg', evidence: said.join('; ') };
  return { accel: 'unknown', evidence: said.join('; ') };
}

/**
 * Asks the domain's QEMU through libvirt (`virsh qemu-monitor-command`, QMP `query-kvm` and
 * HMP `info jit`) which accelerator it really uses, and fails with `accel-mismatch` unless
 * it is the one its domain type asks for. libvirt marks the domain "tainted: custom monitor
 * control commands issued" for this; the guest is not affected.
 */
export async function confirmLibvirtAccel(virsh: Virsh, domain: string, type: QemuDomainType): Promise<LibvirtAccel> {
  const queryKvm = await virsh.ok('qemu-monitor-command', [domain, JSON.stringify({ execute: 'query-kvm' })]);
  const infoJit = await virsh.run('qemu-monitor-command', [domain, '--hmp', 'info jit']);
  const found = classifyLibvirtAccel(queryKvm, infoJit.exitCode === 0 ? infoJit.stdout : '');
  const wanted = DOMAIN_ACCEL[type];
  if (found.accel !== wanted) {
    throw new HvbError('accel-mismatch', `domain ${domain} (type ${type}) should run ${wanted}, but its QEMU runs ${found.accel} (${found.evidence})`, {
      hint: type === 'kvm' ? 'check that /dev/kvm is usable by the user libvirt runs QEMU as' : 'check the QEMU build and its TCG module',
    });
  }
  return found;
}
