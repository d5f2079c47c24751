import type { DiskSpec, NicSpec } from '../backends/common/backend.ts';
import { checkBound } from '../devices/drivers.ts';
import type { ProbeKind } from '../guest/protocol/job.ts';
import type { Dims } from '../results/sample.ts';

/**
 * The drivers that bound the case's devices, from the guest's facts, as sample dimensions
 * (`disk_driver`, `nic_driver`). Throws when a probed device is driven by another driver
 * than its model's: the repetition then measured the wrong device and fails.
 */
export function boundDeviceDims(disks: readonly DiskSpec[], nics: readonly NicSpec[], probe: readonly ProbeKind[], facts: Record<string, string>): Dims {
  const dims: Dims = {};
  const disk = disks[0];
  if (probe.includes('disk') && disk) dims.disk_driver = checkBound('disk', disk.model, facts);
  const nic = nics[0];
  if (probe.includes('nic') && nic) dims.nic_driver = checkBound('nic', nic.model, facts);
  return dims;
}
