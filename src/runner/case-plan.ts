import type { Backend, Capability } from '../backends/common/backend.ts';
import { join } from 'node:path';
import { caseDevices, type CaseDevices } from '../devices/case-devices.ts';
import { checkScratch, describeScratch, openScratchFolder, type ScratchCheck } from '../devices/scratch-folder.ts';
import type { GuestImage } from '../guest/image.ts';
import type { Host, HostConfig } from '../hosts/host.ts';
import { withRetryListener } from '../hosts/remote-retry.ts';
import type { HostFacts, SetupRetry } from '../results/run-record.ts';
import { SCRATCH_DIR } from '../results/scratch-dir.ts';
import { hostFitProblems, overcommitOf } from '../suite/host-fit.ts';
import { suiteError } from '../suite/problems.ts';
import type { Case, ResolvedSuite } from '../suite/types.ts';
import { describeError, HvbError } from '../util/errors.ts';
import type { Workload } from '../workloads/workload.ts';
import { USER_MODE_QUEUES } from '../network/netns-plan.ts';
import type { NetworkProvider } from './case-setup.ts';
import type { RunObserver } from './events.ts';
import { factsOf } from './host-facts-of.ts';
import type { HostAssignment } from './host-assign.ts';
import { densityProblem } from './density-plan.ts';
import { pinningProblem, readPinningTopology, type TopologyState } from './pinning-plan.ts';

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
  /** Where this host's scratch disks go; made on first use (scratchDirOf). */
  scratchDir?: string;
  /**
   * Where a remote host with disk cases can keep their scratch disks, and whether that folder
   * takes O_DIRECT; `failed`: why the check itself did not finish. Absent on the local host
   * (its disks go in the run folder) and on hosts without disk cases.
   */
  scratch?: ScratchCheck | { failed: string };
  /** Setup commands that ssh lost during the inspection and that were run again. */
  retries?: SetupRetry[];
  /** The host's CPU topology, read only when the suite pins (pinning-plan.ts). */
  cpuTopology?: TopologyState;
}

/** What planning needs of the run's options. */
export interface PlanContext {
  cases: readonly Case[];
  backends: (name: string) => Backend;
  workloads: Record<string, Workload>;
  image: GuestImage;
  observer?: RunObserver;
  /** The suite's CPU pinning, when it has one (pinning-plan.ts), and its guest shapes with whether they may overcommit. */
  suite?: { pinning?: ResolvedSuite['pinning'] } & Partial<Pick<ResolvedSuite, 'guest' | 'overcommit'>>;
  /** The suite file, named by the refusal of a guest larger than its host. */
  suiteFile?: string;
  /** The run's network providers (networkOf), asked whether they can serve a case's NIC. */
  networks?: Partial<Record<string, NetworkProvider>>;
}

/** Facts and backend capabilities of a host; a host that does not answer is marked, not thrown. */
export async function inspectHost(h: RunHost, o: PlanContext, assignment: readonly HostAssignment[]): Promise<HostState> {
  const state: HostState = { run: h, capabilities: new Map() };
  const retries: SetupRetry[] = [];
  await withRetryListener(
    (r) => retries.push({ ...r, during: 'inspection' }),
    () => inspect(state, o, assignment),
  );
  if (retries.length > 0) state.retries = retries;
  return state;
}

async function inspect(state: HostState, o: PlanContext, assignment: readonly HostAssignment[]): Promise<void> {
  const h = state.run;
  try {
    state.facts = await factsOf(h.host);
  } catch (e) {
    state.unreachable = `host ${h.config.name} is unreachable: ${describeError(e)}`;
    return;
  }
  const here = o.cases.filter((_, i) => {
    const a = assignment[i]!;
    return 'host' in a && a.host === h.config.name;
  });
  const backends = new Set(here.map((c) => c.backend));
  const scratch =
    h.config.kind !== 'local' && here.some((c) => o.workloads[c.workload]?.devices?.(c.params).disk !== undefined) ? checkScratchOf(h) : undefined;
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
  if (scratch) state.scratch = await scratch;
  await readPinningTopology(o, state);
}

/**
 * Refuses, before anything is measured, a guest larger than the host its case goes to (more
 * vCPUs than CPUs, more memory) unless the suite allows overcommit: one problem per value,
 * naming the suite field and both numbers.
 */
export function refuseOversizedGuests(o: PlanContext, assignment: readonly HostAssignment[], states: Map<string, HostState>): void {
  if (o.suite?.guest === undefined) return;
  const placed = o.cases.flatMap((c, i) => {
    const a = assignment[i]!;
    if (!('host' in a)) return [];
    const facts = states.get(a.host)?.facts;
    return facts ? [{ guest: c.guest, host: { name: a.host, cpus: facts.cpus, memoryMiB: facts.memoryMiB } }] : [];
  });
  const problems = hostFitProblems({ guest: o.suite.guest, ...(o.suite.overcommit === undefined ? {} : { overcommit: o.suite.overcommit }) }, placed);
  if (problems.length > 0) throw suiteError(o.suiteFile ?? 'suite', problems);
}

/** The `overcommit` dimension of a case whose guest is larger than its host (only a suite with `overcommit: true` gets this far). */
export function overcommitted(c: Case, host: string, facts: HostFacts): { overcommit?: string } {
  const over = overcommitOf(c.guest, { name: host, cpus: facts.cpus, memoryMiB: facts.memoryMiB });
  return over === undefined ? {} : { overcommit: over };
}

/** The scratch check of a remote host (scratch-folder.ts); a check that cannot finish says why, for the skip reasons. */
function checkScratchOf(h: RunHost): Promise<ScratchCheck | { failed: string }> {
  return checkScratch(h.host, h.config.scratchDir).catch((e: unknown) => ({ failed: e instanceof Error ? e.message : String(e) }));
}

/**
 * The folder of a host's scratch disks for this run, made on first use: the run folder's
 * `scratch/` here; on a remote host a private folder in the place its inspection chose.
 */
export async function scratchDirOf(state: HostState, runDir: string): Promise<string> {
  const { host, config } = state.run;
  if (state.scratchDir !== undefined) return state.scratchDir;
  const check = state.scratch;
  state.scratchDir =
    config.kind === 'local'
      ? join(runDir, SCRATCH_DIR)
      : check !== undefined && !('failed' in check)
        ? await openScratchFolder(host, check)
        : await host.makeTempDir('hvbench-scratch-');
  return state.scratchDir;
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
  const noNetwork = planned.devices.nic ? networkProblem(planned.devices.nic, backend, state, o) : undefined;
  if (noNetwork !== undefined) return { skip: `${c.backend} cannot run this case ${where}: ${noNetwork}`, reason: noNetwork };
  const noScratch = planned.devices.disk ? scratchProblem(planned.devices.disk, backend, state) : undefined;
  if (noScratch !== undefined) return { skip: noScratch, reason: noScratch };
  const unpinnable = pinningProblem(o, c.guest.vcpus, state);
  if (unpinnable !== undefined) return { skip: unpinnable, reason: unpinnable };
  const noDensity = densityProblem(c, backend, planned.devices);
  if (noDensity !== undefined) return { skip: noDensity, reason: noDensity };
  return { devices: planned.devices, state };
}

/**
 * Why a remote host cannot hold this case's scratch disk, or undefined when it can: its
 * scratch folder cannot be written, or the backend opens the disk with O_DIRECT (QEMU's
 * cache=none and directsync) and no folder there takes it. Naming the host, the folders and
 * what each said, so the case is skipped with that rather than failed at the VMM's start.
 */
export function scratchProblem(disk: NonNullable<CaseDevices['disk']>, backend: Backend, state: HostState): string | undefined {
  const check = state.scratch;
  const host = state.run.config.name;
  if (check === undefined) return undefined;
  if ('failed' in check) return `the scratch folder of host ${host} could not be checked: ${check.failed}`;
  const where = check.configured ? `its scratchDir ${check.base} (hosts file)` : `its temporary folder ${check.base}`;
  if (!check.writable) return `host ${host} has nowhere to put this case's scratch disk: ${where} cannot be written (${describeScratch(check)})`;
  // The disk's cache mode (its I/O path); absent: the backend's default.
  const cache = disk.path?.cache;
  if (check.directIo || backend.diskDirectIo?.(cache) !== true) return undefined;
  const opens = `${backend.label ?? backend.name} opens this case's disk with O_DIRECT${cache === undefined ? '' : ` (cache=${cache})`}`;
  const fix = check.configured
    ? 'choose a scratchDir on a file system that takes O_DIRECT (ext4, xfs; not ramfs, nor tmpfs before Linux 6.6)'
    : 'set scratchDir for it in the hosts file to a folder on a file system that takes O_DIRECT (ext4, xfs)';
  return `${opens}, and no scratch folder on host ${host} takes O_DIRECT: ${describeScratch(check)}; ${fix}`;
}

/**
 * Why the network of a case's NIC cannot be made as it asks, or undefined: the provider's own
 * word (user-mode networking has no multi-queue NIC); a `host-netns` case without a provider
 * gets QEMU's user-mode networking, which has none either.
 */
export function networkProblem(nic: NonNullable<CaseDevices['nic']>, backend: Backend, state: HostState, o: PlanContext): string | undefined {
  const provider = networkOf(o.networks, backend);
  const request = { model: nic.model, host: state.run.host, ...(nic.queues === undefined ? {} : { queues: nic.queues }) };
  if (provider) return provider.refuses?.(request);
  if (backend.network === 'host-netns' && (nic.queues ?? 1) > 1) return USER_MODE_QUEUES;
  return undefined;
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
