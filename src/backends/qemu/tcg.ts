import type { Host } from '../../hosts/host.ts';
import type { Backend, Capability, RunningVm, VmSpec } from '../common/backend.ts';
import { QEMU_DEFAULTS } from './argv.ts';
import { QEMU_DECLARATIONS } from './declarations.ts';
import { probeQemu } from './probe.ts';
import { launchQemuVm, type QemuLaunchOptions } from './vm.ts';

export { parseQemuVersion } from './version.ts';

/** QEMU options a TCG backend may override (machine, CPU model, binary, timeouts). */
export type TcgBackendOptions = Omit<QemuLaunchOptions, 'accel'>;

/**
 * QEMU with TCG, pure software emulation: `qemu-system-x86_64 -accel tcg` (multi-threaded
 * when the guest has more than one vCPU), CPU model `qemu64` unless told otherwise.
 */
export function createTcgBackend(options: TcgBackendOptions = {}): Backend {
  return {
    name: 'tcg',
    label: 'QEMU TCG',
    ...QEMU_DECLARATIONS,
    probe(host: Host): Promise<Capability> {
      return probeQemu(host, 'tcg', 'tcg', options.binary ?? QEMU_DEFAULTS.binary);
    },
    launch(vm: VmSpec, host: Host): Promise<RunningVm> {
      return launchQemuVm(host, vm, { ...options, accel: 'tcg' });
    },
  };
}

export const tcgBackend: Backend = createTcgBackend();
