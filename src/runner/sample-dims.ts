import type { Dims, Sample } from '../results/sample.ts';
import type { Case } from '../suite/types.ts';
import { HvbError } from '../util/errors.ts';
import type { MetricDef, MetricValue } from '../workloads/workload.ts';

/** Provenance shared by every sample of a run. */
export interface RunProvenance {
  suite: string;
  run: string;
  host: string;
  /** `local`, `remote` or `lab`; samples from a lab are functional checks, not performance figures. */
  hostKind: string;
  hostCpu: string;
  image: string;
  /** Facts of the case's backend that become dimensions (its `factDims`), e.g. `qemu: 7.2.22`; the rest stay in run.json. */
  backendFacts: Record<string, string>;
  /** What of the case's guest exceeds its host (`vcpus`, `memory`), when the suite allows overcommit (suite/host-fit.ts). */
  overcommit?: string;
}

/**
 * The dimensions of one sample: the case's parameters (as `param.<name>`), the guest, the
 * backend and the accelerator QEMU confirmed, and where the value came from.
 */
export function caseDims(c: Case, rep: number, accel: string, guestKernel: string | undefined, p: RunProvenance): Dims {
  const dims: Dims = {
    suite: p.suite,
    run: p.run,
    case: c.id,
    backend: c.backend,
    accel,
    workload: c.workload,
    vcpus: c.guest.vcpus,
    memory_mib: c.guest.memoryMiB,
    rep,
    host: p.host,
    host_kind: p.hostKind,
    host_cpu: p.hostCpu,
    image: p.image,
  };
  if (c.variant !== undefined) dims[c.variant.dim] = c.variant.value;
  if (guestKernel) dims.guest_kernel = guestKernel;
  if (p.overcommit !== undefined) dims.overcommit = p.overcommit;
  // A density case: how many guests ran at once, on every sample (each guest's own also carry guest_index).
  if (c.guests !== undefined) dims.guests = c.guests;
  if (c.neighbour !== undefined) dims.neighbour = c.neighbour;
  Object.assign(dims, p.backendFacts);
  for (const [k, v] of Object.entries(c.params)) {
    dims[`param.${k}`] = typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string' ? v : JSON.stringify(v);
  }
  return dims;
}

/** Attaches unit and direction from the metric definitions; an undeclared metric is a bug in the workload. */
export function toSamples(values: MetricValue[], defs: MetricDef[], dims: Dims, ts: string): Sample[] {
  const byName = new Map(defs.map((d) => [d.name, d]));
  return values.map((v) => {
    const def = byName.get(v.metric);
    if (!def) throw new HvbError('metric-undeclared', `metric "${v.metric}" is not declared by its workload`);
    return { metric: v.metric, value: v.value, unit: def.unit, better: def.better, dims, ts };
  });
}
