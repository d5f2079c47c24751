import type { Host } from '../../hosts/host.ts';
import type { Backend, Capability, RunningVm, VmSpec } from '../common/backend.ts';
import { probeXen } from './probe.ts';
import { launchXenVm, XEN_DEFAULTS, type XenLaunchOptions } from './vm.ts';

export { buildXenConfig, xlString } from './config.ts';
export { xenExit } from './exit.ts';
export { parseXlInfo, parseXlList, xenInfo } from './info.ts';
export { listXenDomains, NOT_A_DOM0 } from './probe.ts';
export { xenDomainName, XenVm } from './vm.ts';

export type XenBackendOptions = XenLaunchOptions;

/**
 * Xen through `xl` in a dom0 host (usually reached over SSH). The guest type is the spec's
 * `xenType` (`pvh` when absent); see docs/xen.md for what each measurement means on Xen.
 */
export function createXenBackend(options: XenBackendOptions = {}): Backend {
  return {
    name: 'xen',
    probe(host: Host): Promise<Capability> {
      return probeXen(host, options.xl ?? XEN_DEFAULTS.xl);
    },
    launch(vm: VmSpec, host: Host): Promise<RunningVm> {
      return launchXenVm(host, vm, options);
    },
  };
}

export const xenBackend: Backend = createXenBackend();
