import type { Host } from '../../hosts/host.ts';
import type { Backend, Capability, RunningVm, VmSpec } from '../common/backend.ts';
import { GUEST_TYPE_AXIS, guestTypeOf, xenDevices } from './devices.ts';
import { xenInfo } from './info.ts';
import { probeXen } from './probe.ts';
import { launchXenVm, XEN_DEFAULTS, type XenLaunchOptions } from './vm.ts';

export { buildXenConfig, xlString } from './config.ts';
export { xenExit } from './exit.ts';
export { parseXlInfo, parseXlList, xenInfo } from './info.ts';
export { listXenDomains, NOT_A_DOM0 } from './probe.ts';
export { xenDomainName, XenVm } from './vm.ts';

export type XenBackendOptions = XenLaunchOptions;

/** The longest `xl info` may take when a run checks the memory for its density cases. */
const XEN_INFO_TIMEOUT_MS = 30_000;

/**
 * Xen through `xl` in a dom0 host (usually reached over SSH). The guest type is the spec's
 * `variant`, its guest type (`pvh` when absent); see docs/xen.md for what each measurement means on Xen.
 */
export function createXenBackend(options: XenBackendOptions = {}): Backend {
  return {
    name: 'xen',
    variants: GUEST_TYPE_AXIS,
    devices: (variant) => xenDevices(guestTypeOf(variant)),
    // A NIC joins a bridge of the case's own in dom0, with peers there (network/dom0-network.ts).
    network: 'host-bridge',
    label: 'Xen',
    bridgeWhere: 'in dom0',
    factDims: ['xen', 'dom0_kernel', 'xen_scheduler'],
    startBarrier: true,
    probe(host: Host): Promise<Capability> {
      return probeXen(host, options.xl ?? XEN_DEFAULTS.xl);
    },
    // Domains take Xen's free memory, not dom0's.
    async memoryAvailableMiB(host: Host): Promise<number> {
      const info = await host.exec([...(options.xl ?? XEN_DEFAULTS.xl), 'info'], { timeoutMs: XEN_INFO_TIMEOUT_MS });
      return info.exitCode === 0 ? (xenInfo(info.stdout)?.freeMemoryMiB ?? 0) : 0;
    },
    launch(vm: VmSpec, host: Host): Promise<RunningVm> {
      return launchXenVm(host, vm, options);
    },
  };
}

export const xenBackend: Backend = createXenBackend();
