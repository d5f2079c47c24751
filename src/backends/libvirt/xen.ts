import type { Host } from '../../hosts/host.ts';
import { HvbError } from '../../util/errors.ts';
import type { Backend, Capability } from '../common/backend.ts';
import { libvirtDevices } from './devices.ts';
import { probeLibvirt } from './probe.ts';
import { XEN_URI } from './uri.ts';

/** Where a Xen host keeps what only a dom0 has. */
const XEN_CAPABILITIES = '/proc/xen/capabilities';

/**
 * Xen through libvirt's libxl driver (`xen:///system`), declared so that doctor and a suite
 * say why it does not run: it needs a Xen dom0 with libvirt's libxl driver
 * (libvirt-daemon-driver-xen), and hvbench does not yet compile a VmSpec into a Xen domain
 * (PV/PVH guests boot differently from the QEMU driver's). The probe names what is missing,
 * first the dom0 itself; where everything is there it still says no, with that reason.
 */
export function createLibvirtXenBackend(): Backend {
  const name = 'libvirt-xen';
  return {
    name,
    label: 'libvirt Xen',
    devices: () => libvirtDevices('kvm'),
    network: 'host-bridge',
    bridgeWhere: 'in dom0',
    factDims: ['libvirt'],
    async probe(host: Host): Promise<Capability> {
      const caps = await host.readFile(XEN_CAPABILITIES).catch(() => undefined);
      if (caps === undefined || !caps.includes('control_d')) {
        return {
          backend: name,
          available: false,
          reason: `not a Xen dom0: ${caps === undefined ? `${XEN_CAPABILITIES} does not exist` : `${XEN_CAPABILITIES} does not say control_d`} on ${host.name}`,
          facts: { libvirtUri: XEN_URI, libvirtDomainType: 'xen' },
          hint: 'libvirt-xen needs a Xen dom0 with libvirt-daemon-driver-xen (the libxl driver)',
        };
      }
      const found = await probeLibvirt(host, name, XEN_URI, 'xen');
      if (!found.available) return found;
      return {
        ...found,
        available: false,
        reason: `${found.reason}; hvbench does not define Xen domains through libvirt yet (use the xen backend, which drives xl)`,
      };
    },
    launch(): Promise<never> {
      return Promise.reject(new HvbError('backend-unavailable', 'libvirt-xen cannot launch guests: hvbench does not define Xen domains through libvirt yet'));
    },
  };
}

export const libvirtXenBackend: Backend = createLibvirtXenBackend();
