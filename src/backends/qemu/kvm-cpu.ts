/**
 * The CPU model KVM guests get. `host` passes the host CPU through, as KVM deployments do;
 * the model is recorded in every sample (`cpu_model`), since TCG runs `qemu64`.
 */
export const KVM_DEFAULT_CPU = 'host';

/**
 * Features to drop when KVM refuses an MSR of the CPU model. A nested or paravirtual KVM
 * may refuse IA32_ARCH_CAPABILITIES (MSR 0x10a), and QEMU then aborts at start
 * ("failed to set MSR 0x10a", an assertion in kvm_buf_set_msrs, exit status 134).
 */
const FEATURE_OF_MSR: Readonly<Record<string, string>> = {
  '0x10a': 'arch-capabilities',
};

/**
 * The model to try after `cpu` was refused for `msr`: the same model without the feature
 * behind that MSR, or undefined when hvbench knows no such fallback (or already dropped it).
 */
export function cpuFallback(cpu: string, msr: string | undefined): string | undefined {
  const feature = msr === undefined ? undefined : FEATURE_OF_MSR[msr.toLowerCase()];
  if (feature === undefined) return undefined;
  const parts = cpu.split(',');
  if (parts.includes(`-${feature}`) || parts.includes(`${feature}=off`)) return undefined;
  return `${cpu},-${feature}`;
}
