import type { Host } from '../../hosts/host.ts';
import type { Backend, Capability, ProbeOptions, RunningVm, VmSpec } from '../common/backend.ts';
import { libvirtDevices, libvirtDiskDirectIo } from './devices.ts';
import type { QemuDomainType } from './domain-xml.ts';
import { launchLibvirtVm } from './launch.ts';
import { libvirtLeftovers } from './leftovers.ts';
import { probeLibvirt } from './probe.ts';
import { qemuUri } from './uri.ts';
import { virshOn } from './virsh.ts';

/** One finder for both QEMU-driver backends (doctor and clean look once). */
export const libvirtQemuLeftovers = libvirtLeftovers();

/**
 * A libvirt backend of the QEMU driver: the same VmSpec as a domain of `type` (`kvm` or
 * `qemu`, i.e. TCG), defined, started and destroyed with virsh on the host that runs it,
 * against the host's connection (uri.ts). Its NICs join a bridge of the case's own on that
 * host, as Xen's do in dom0.
 */
export function createLibvirtBackend(type: QemuDomainType): Backend {
  const name = type === 'kvm' ? 'libvirt-kvm' : 'libvirt-tcg';
  return {
    name,
    label: type === 'kvm' ? 'libvirt KVM' : 'libvirt TCG',
    devices: () => libvirtDevices(type),
    network: 'host-bridge',
    bridgeWhere: 'on the host that runs libvirtd',
    factDims: ['libvirt', 'qemu'],
    leftovers: libvirtQemuLeftovers,
    diskDirectIo: libvirtDiskDirectIo,
    probe(host: Host, options?: ProbeOptions): Promise<Capability> {
      return probeLibvirt(host, name, qemuUri(host), type, options);
    },
    launch(vm: VmSpec, host: Host): Promise<RunningVm> {
      return launchLibvirtVm(virshOn(host, qemuUri(host)), vm, type);
    },
  };
}

export const libvirtKvmBackend: Backend = createLibvirtBackend('kvm');
export const libvirtTcgBackend: Backend = createLibvirtBackend('qemu');
