import { HvbError } from '../../util/errors.ts';
import type { Host } from '../../hosts/host.ts';

/** Generous: a freshly booted lab host under emulation can take many seconds per command. */
const CHECK_TIMEOUT_MS = 60_000;
export const KVM_DEVICE = '/dev/kvm';
export const VHOST_NET_DEVICE = '/dev/vhost-net';

/** A usable device node: a character device this user may open read-write. */
const USABLE_DEVICE = ['sh', '-c', '[ -c "$1" ] && [ -r "$1" ] && [ -w "$1" ]', 'sh'];

/** The KVM modules hvbench knows, vendor-specific first; `kvm` alone is the common core. */
export const KVM_MODULES = ['kvm_intel', 'kvm_amd', 'kvm_pvm', 'kvm'] as const;

/** What the host says about KVM before any guest boots. */
export interface KvmHostEvidence {
  device: { exists: false } | { exists: true; charDevice: boolean; mode: string; owner: string; group: string; readWrite: boolean };
  /** Vendor modules present in /sys/module (loaded or built in), e.g. ['kvm_amd']. */
  modules: string[];
  /** Hardware virtualization the host CPU offers (`vmx`, `svm`), and whether the host is itself a VM. */
  cpu: { virt: 'vmx' | 'svm' | 'none' | 'unknown'; hostIsVm: boolean };
  kernelRelease: string;
  /** /dev/vhost-net is a character device this user can open read-write. */
  vhostNet: boolean;
}

/** The vendor module that runs guests, or `kvm` alone, or undefined when none is present. */
export function kvmVendorModule(modules: readonly string[]): string | undefined {
  return KVM_MODULES.find((m) => modules.includes(m));
}

/**
 * The `stat -c` line of a device: `%F|%A|%U|%G` → kind, `crw-rw----`, owner, group.
 * Exported for tests.
 */
export function parseDeviceStat(line: string): { charDevice: boolean; mode: string; owner: string; group: string } | undefined {
  const [kind, mode, owner, group] = line.trim().split('|');
  if (kind === undefined || mode === undefined || owner === undefined || group === undefined) return undefined;
  return { charDevice: kind === 'character special file', mode, owner, group };
}

/** `vmx`/`svm` from /proc/cpuinfo's first flags line, and the `hypervisor` flag (this host is a VM). */
export function parseCpuVirt(cpuinfo: string): KvmHostEvidence['cpu'] {
  const flags = /^flags\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.split(/\s+/);
  if (flags === undefined) return { virt: 'unknown', hostIsVm: false };
  const virt = flags.includes('vmx') ? 'vmx' : flags.includes('svm') ? 'svm' : 'none';
  return { virt, hostIsVm: flags.includes('hypervisor') };
}

/**
 * Gathers the evidence with the Host's own commands (the same probe runs on a remote or
 * lab host over SSH). Every argv is fixed: no user value reaches a shell.
 */
export async function gatherKvmHostEvidence(host: Host): Promise<KvmHostEvidence> {
  const [stat, access, modules, cpuinfo, uname, vhost] = await Promise.all([
    host.exec(['stat', '-L', '-c', '%F|%A|%U|%G', KVM_DEVICE], { timeoutMs: CHECK_TIMEOUT_MS }),
    host.exec(['sh', '-c', '[ -r "$1" ] && [ -w "$1" ]', 'sh', KVM_DEVICE], { timeoutMs: CHECK_TIMEOUT_MS }),
    host.exec(['sh', '-c', 'for m do [ -d "/sys/module/$m" ] && echo "$m"; done; true', 'sh', ...KVM_MODULES], { timeoutMs: CHECK_TIMEOUT_MS }),
    host.readFile('/proc/cpuinfo').catch(() => ''),
    host.exec(['uname', '-r'], { timeoutMs: CHECK_TIMEOUT_MS }),
    host.exec([...USABLE_DEVICE, VHOST_NET_DEVICE], { timeoutMs: CHECK_TIMEOUT_MS }),
  ]);
  const parsed = stat.exitCode === 0 ? parseDeviceStat(stat.stdout) : undefined;
  // `[ -r ] && [ -w ]` answers 0 or 1; anything else (a timeout, a dropped SSH session) is no answer.
  if (parsed !== undefined && access.exitCode !== 0 && access.exitCode !== 1) {
    throw new HvbError(
      'host-check-failed',
      `could not check whether ${KVM_DEVICE} is usable on host ${host.name}: ${access.stderr.trim() || `exit code ${access.exitCode}`}`,
    );
  }
  return {
    device: parsed === undefined ? { exists: false } : { exists: true, ...parsed, readWrite: access.exitCode === 0 },
    modules: modules.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => (KVM_MODULES as readonly string[]).includes(l)),
    cpu: parseCpuVirt(cpuinfo),
    kernelRelease: uname.stdout.trim() || 'unknown',
    vhostNet: vhost.exitCode === 0,
  };
}

/** Whether vhost-net is usable on the host, for a launch that was not preceded by a probe. */
export async function hostHasVhostNet(host: Host): Promise<boolean> {
  const run = await host.exec([...USABLE_DEVICE, VHOST_NET_DEVICE], { timeoutMs: CHECK_TIMEOUT_MS });
  return run.exitCode === 0;
}

/** The evidence as probe facts (strings), recorded in run.json. */
export function hostEvidenceFacts(e: KvmHostEvidence): Record<string, string> {
  const device = e.device.exists
    ? `${KVM_DEVICE} ${e.device.mode} ${e.device.owner}:${e.device.group}${e.device.readWrite ? ', read-write' : ', not read-write for this user'}`
    : `no ${KVM_DEVICE}`;
  return {
    kvmDevice: device,
    kvmModules: e.modules.join(',') || 'none',
    hostCpuVirt: e.cpu.virt,
    hostIsVm: e.cpu.hostIsVm ? 'yes' : 'no',
    hostKernel: e.kernelRelease,
    vhostNet: e.vhostNet ? 'yes' : 'no',
  };
}

/**
 * Why a KVM case cannot have vhost-net `on` or `off` for a NIC of `model`, from the probe's
 * facts on its host; undefined when it can. `off` always can. `on` needs virtio-net and a
 * usable /dev/vhost-net (facts without `vhostNet`, from no probe, leave it to the launch).
 */
export function kvmNicVhostProblem(vhost: 'on' | 'off', model: string, facts: Readonly<Record<string, string>>): string | undefined {
  if (vhost === 'off') return undefined;
  if (model !== 'virtio-net') return `vhost-net serves virtio-net only, not ${model}`;
  if (facts['vhostNet'] === 'no') return `${VHOST_NET_DEVICE} is not usable on this host (load the vhost_net module; root, or its group, can open it)`;
  return undefined;
}
