import { defaultCacheDir } from '../../guest/cache.ts';
import type { Host } from '../../hosts/host.ts';
import { HvbError } from '../../util/errors.ts';
import type { Backend, Capability, NicSpec, ProbeOptions, RunningVm, VmSpec } from '../common/backend.ts';
import { KVM_DEFAULT_CPU } from './kvm-cpu.ts';
import { checkKvmGuest } from './kvm-guest.ts';
import { hostHasVhostNet, kvmNicVhostProblem, VHOST_NET_DEVICE } from './kvm-host.ts';
import { probeKvm } from './kvm-probe.ts';
import { qemuShare } from './shares.ts';
import { usesVhostNet } from './argv.ts';
import { QEMU_DECLARATIONS } from './declarations.ts';
import { qemuDiskPath } from './disk-path.ts';
import { launchQemuVm, type QemuLaunchOptions } from './vm.ts';

export interface KvmBackendOptions extends Omit<QemuLaunchOptions, 'accel' | 'vhostNet'> {
  /** vhost-net for virtio-net NICs on a tap: `auto` (where /dev/vhost-net is usable, the default) or `off`. */
  vhostNet?: 'auto' | 'off';
  /** hvbench's cache folder: the image the canary boots and the canary verdicts. Default: defaultCacheDir(). */
  cacheDir?: string;
  /** How long the canary guest may take; default 60 s. */
  canaryTimeoutMs?: number;
}

/** What the last probe of a host decided for its launches. */
interface HostChoice {
  cpu: string;
  vhostNet: boolean;
}

/**
 * QEMU with KVM: the same VmSpec compiled by the same QEMU code as TCG, with `-accel kvm`,
 * CPU model `host` (or the fallback the canary found), and vhost-net for virtio NICs on a
 * tap where the host has it. The probe boots a canary guest; the accelerator is confirmed
 * over QMP at every launch, and the guest's own view (checkGuest) at every repetition.
 */
export function createKvmBackend(options: KvmBackendOptions = {}): Backend {
  const { vhostNet = 'auto', cacheDir, canaryTimeoutMs, ...launchOptions } = options;
  const choices = new Map<string, HostChoice>();
  return {
    name: 'kvm',
    label: 'KVM',
    ...QEMU_DECLARATIONS,
    devices: (variant?: string) => ({ ...QEMU_DECLARATIONS.devices(variant), diskPath: qemuDiskPath, share: qemuShare, nicVhost: kvmNicVhostProblem }),
    async probe(host: Host, probeOptions: ProbeOptions = {}): Promise<Capability> {
      const found = await probeKvm(
        host,
        {
          cacheDir: cacheDir ?? defaultCacheDir(),
          ...(launchOptions.binary === undefined ? {} : { binary: launchOptions.binary }),
          ...(launchOptions.machine === undefined ? {} : { machine: launchOptions.machine }),
          ...(launchOptions.cpu === undefined ? {} : { cpu: launchOptions.cpu }),
          ...(canaryTimeoutMs === undefined ? {} : { canaryTimeoutMs }),
        },
        probeOptions,
      );
      choices.set(host.name, { cpu: found.cpu, vhostNet: found.vhostNet });
      return found.capability;
    },
    async launch(vm: VmSpec, host: Host): Promise<RunningVm> {
      const choice = choices.get(host.name);
      const hostHas = async () => choice?.vhostNet ?? (await hostHasVhostNet(host));
      const kvm = kvmChoices(vm, {
        cpu: launchOptions.cpu ?? choice?.cpu ?? KVM_DEFAULT_CPU,
        vhostNet: await vhostFor(vm.nics, vhostNet, hostHas),
      });
      const running: RunningVm = await launchQemuVm(host, vm, { ...launchOptions, accel: 'kvm', cpu: kvm.cpu, vhostNet: kvm.vhostNet });
      running.dims = kvm.dims;
      return running;
    },
    checkGuest: checkKvmGuest,
  };
}

/**
 * Whether a VM's virtio-net NICs on a tap get vhost-net: what its NICs ask for (`on`, `off`;
 * planning has checked the model and the host's probe), else the backend's option (`auto`:
 * where the host has it). A NIC that asks for `on` and cannot have it fails the launch with
 * why: vhost is never dropped silently.
 */
export async function vhostFor(nics: readonly NicSpec[], option: 'auto' | 'off', hostHas: () => Promise<boolean>): Promise<boolean> {
  const asked = new Set(nics.flatMap((n) => (n.vhost ? [n.vhost] : [])));
  if (asked.size > 1) throw new HvbError('invalid-vm-spec', 'NICs of one VM ask for vhost-net both on and off; QEMU is given one choice per VM here');
  if (asked.has('off')) return false;
  if (asked.has('on')) {
    const nic = nics.find((n) => n.vhost === 'on' && !usesVhostNet(n));
    if (nic) {
      throw new HvbError(
        'vhost-unavailable',
        `NIC "${nic.id}" asks for vhost-net, which serves virtio-net on a tap only; it is ${nic.model} on ${nic.attach.kind}`,
        {
          hint: 'a tap needs root on the host that runs the VMM (without it the NIC gets user-mode networking)',
        },
      );
    }
    if (!(await hostHas())) {
      throw new HvbError('vhost-unavailable', `a NIC asks for vhost-net, and ${VHOST_NET_DEVICE} is not usable on this host`, {
        hint: 'load the vhost_net module (modprobe vhost_net)',
      });
    }
    return true;
  }
  return option === 'auto' && nics.some(usesVhostNet) && (await hostHas());
}

/**
 * Where a KVM launch differs from TCG's, for one VM: the CPU model, vhost-net (only when
 * the VM has a virtio-net NIC on a tap), and the dimensions that record both.
 */
export function kvmChoices(vm: VmSpec, host: { cpu: string; vhostNet: boolean }): { cpu: string; vhostNet: boolean; dims: Record<string, string | boolean> } {
  const vhostNet = host.vhostNet && vm.nics.some(usesVhostNet);
  return { cpu: host.cpu, vhostNet, dims: { cpu_model: host.cpu, ...(vm.nics.length > 0 ? { vhost_net: vhostNet } : {}) } };
}

export const kvmBackend: Backend = createKvmBackend();
