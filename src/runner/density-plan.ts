import type { Backend } from '../backends/common/backend.ts';
import type { CaseDevices } from '../devices/case-devices.ts';
import type { Case } from '../suite/types.ts';

/**
 * Why a density case (Case.guests) cannot run on its backend, or undefined when it can: the
 * backend's VMs must take the start barrier's `go` line (Backend.startBarrier), and the
 * guests of one case share its setup, so a case with a device (one scratch disk, one NIC
 * and its peers, one shared folder) would have N guests on it: such a case is skipped.
 */
export function densityProblem(c: Case, backend: Backend, devices: CaseDevices): string | undefined {
  if (c.guests === undefined) return undefined;
  if (backend.startBarrier !== true) {
    return `backend ${backend.name} cannot run ${c.guests} guests at once: its VMs cannot be released from a start barrier (they take no console input)`;
  }
  const shared = [devices.disk ? 'a scratch disk' : undefined, devices.nic ? 'a NIC' : undefined, devices.share ? 'a shared folder' : undefined].filter(
    (d) => d !== undefined,
  );
  if (shared.length > 0) {
    return `a density case runs workloads without devices only: its ${c.guests} guests would share ${shared.join(' and ')}`;
  }
  return undefined;
}
