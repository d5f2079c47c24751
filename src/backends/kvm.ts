import type { Backend } from './backend.ts';
import { notImplementedBackend } from './not-implemented.ts';

/**
 * QEMU with KVM. Not written yet: it will share qemu-vm.ts with TCG (`accel: 'kvm'`) and
 * its probe must boot a canary guest, because an openable /dev/kvm does not prove that
 * Linux guests boot (see the design notes on nested KVM).
 */
export const kvmBackend: Backend = notImplementedBackend('kvm', 'the KVM backend is planned; tcg runs everywhere');
