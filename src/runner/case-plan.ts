import type { Backend, Capability } from '../backends/common/backend.ts';
import { caseDevices, type CaseDevices } from '../devices/case-devices.ts';
import type { GuestImage } from '../guest/image.ts';
import type { Host, HostConfig } from '../hosts/host.ts';
import type { HostFacts } from '../results/run-record.ts';
import type { Case } from '../suite/types.ts';
import { HvbError } from '../util/errors.ts';
import type { Workload } from '../workloads/workload.ts';
import type { NetworkProvider } from './case-setup.ts';
import type { RunObserver } from './events.ts';
import { factsOf } from './host-facts-of.ts';
import type { HostAssignment } from './host-assign.ts';

/** A host of the run: how to reach it and what it offers. */
export interface RunHost {
  config: HostConfig;
  host: Host;
}

/** What the runner learnt about one host before measuring. */
export interface HostState {
  run: RunHost;
  /** Absent when the host did not answer. */
  facts?: HostFacts;
  unreachable?: string;
  capabilities: Map<string, Capability>;
  /** Where this host's scratch disks go; made on first use. */
  scratchDir?: string;
}

/** What planning needs of the run's options. */
export interface PlanContext {
  cases: readonly Case[];
  backends: (name: string) => Backend;
  workloads: Record<string, Workload>;
  image: GuestImage;
  observer?: RunObserver;
}

/** Facts and backend capabilities of a host; a host that does not answer is marked, not thrown. */
export async function inspectHost(h: RunHost, o: PlanContext, assignment: readonly HostAssignment[]): Promise<HostState> {
  const state: HostState = { run: h, capabilities: new Map() };
  try {
    state.facts = await factsOf(h.host);
  } catch (e) {
    state.unreachable = `host ${h.config.name} is unreachable: ${e instanceof Error ? e.message : String(e)}`;
    return state;
  }
  const backends = new Set(
    o.cases
      .filter((_, i) => {
        const a = assignment[i]!;
        return 'host' in a && a.host === h.config.name;
      })
      .map((c) => c.backend),
  );
  // Probes run side by side: one may take a while (KVM's canary boot, up to a minute the first time).
  const observe = o.observer ?? (() => undefined);
  const found = await Promise.all(
    [...backends].map(async (name) => {
      const log = (line: string) => observe({ type: 'probe-log', backend: name, host: h.config.name, line });
      // A probe that cannot finish (a dropped connection, a command that timed out) makes the backend unavailable there, with why.
      return o
        .backends(name)
        .probe(h.host, { image: o.image, log })
        .catch(
          (e: unknown): Capability => ({
            backend: name,
            available: false,
            reason: `its probe failed: ${e instanceof Error ? e.message : String(e)}`,
            facts: {},
          }),
        );
    }),
  );
  for (const [i, name] of [...backends].entries()) state.capabilities.set(name, found[i]!);
  return state;
}

export type CasePlan =
  | { devices: CaseDevices; state: HostState }
  | { skip: string; reason: string; unavailable?: { backend: string; host: string } }
  | { fail: string; host: string };

/** Whether a case can run: it has a host that answers, its backend is available there and offers the devices it needs. */
export function planCase(c: Case, assigned: HostAssignment, states: Map<string, HostState>, o: PlanContext): CasePlan {
  if ('unassigned' in assigned) return { skip: assigned.unassigned, reason: assigned.unassigned };
  const state = states.get(assigned.host) as HostState;
  if (state.unreachable !== undefined) return { fail: state.unreachable, host: assigned.host };
  const capability = state.capabilities.get(c.backend) as Capability;
  const where = state.run.config.kind === 'local' ? 'here' : `on host ${assigned.host}`;
  if (!capability.available)
    return {
      skip: `backend ${c.backend} cannot run ${where}: ${capability.reason}`,
      reason: capability.reason,
      unavailable: { backend: c.backend, host: assigned.host },
    };
  const workload = o.workloads[c.workload] as Workload;
  const backend = o.backends(c.backend);
  const planned = caseDevices(c.backend, backend.devices(c.variant?.value), workload.devices?.(c.params) ?? {}, capability.facts);
  if ('skip' in planned) return { skip: `${c.backend} cannot run this case: ${planned.skip}`, reason: planned.skip };
  return { devices: planned.devices, state };
}

/** The provider of a case's network: by its backend's attachment, opened on the host the case runs on (local, remote or lab). */
export function networkOf(networks: Partial<Record<string, NetworkProvider>> | undefined, backend: Backend): NetworkProvider | undefined {
  if (backend.network === 'host-bridge') return networks?.['host-bridge'] ?? noHostBridge(backend);
  return backend.network === 'host-netns' ? networks?.['host-netns'] : undefined;
}

/** A `host-bridge` case without a provider: a NIC would have nowhere to go. */
function noHostBridge(backend: Backend): NetworkProvider {
  const where = backend.bridgeWhere ?? 'on the host that runs its guest';
  return {
    open: () =>
      Promise.reject(
        new HvbError(
          'net-no-provider',
          `a ${backend.label ?? backend.name} network case needs a bridge and peers ${where}, and this run has no provider for them`,
        ),
      ),
  };
}

/** The probe's facts that the backend makes dimensions of every sample. */
export function factDimsOf(backend: Backend, capability: Capability): Record<string, string> {
  return Object.fromEntries(backend.factDims.flatMap((k) => (capability.facts[k] === undefined ? [] : [[k, capability.facts[k]!]])));
}
