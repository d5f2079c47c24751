import type { VmExit } from '../common/backend.ts';

/**
 * Why a domain stopped, from `virsh domstate --reason` once its QEMU is gone: `shut off
 * (shutdown)` is the guest powering off; `shut off (crashed)` a guest panic libvirt saw;
 * any other reason (`destroyed`: a reboot, which the domain's `on_reboot` destroys, or a
 * destroy from elsewhere; `failed`) is named as libvirt gives it. Undefined when the state
 * could not be read or the domain still runs.
 */
export function exitFromDomState(text: string): VmExit | undefined {
  const m = /^\s*shut off(?: \(([^)]*)\))?\s*$/m.exec(text);
  if (!m) return undefined;
  const reason = m[1] ?? 'unknown';
  if (reason === 'shutdown') return { kind: 'shutdown', reason: 'the guest powered off', cause: 'guest-shutdown' };
  if (reason === 'destroyed')
    return { kind: 'shutdown', reason: 'the guest rebooted (its domain is destroyed on reboot) or was destroyed from outside hvbench', cause: 'guest-reset' };
  if (reason === 'crashed') return { kind: 'shutdown', reason: 'the guest crashed (libvirt: shut off, crashed)', cause: 'guest-panicked' };
  return { kind: 'shutdown', reason: `libvirt says the domain is shut off (${reason})`, cause: reason };
}
