import { join, resolve } from 'node:path';
import type { Backend, Capability, NetworkAttachment } from '../backends/common/backend.ts';
import { caseDevices, type CaseDevices } from '../devices/case-devices.ts';
import type { GuestImage } from '../guest/image.ts';
import type { Host, HostConfig } from '../hosts/host.ts';
import { hvbenchVersion } from '../results/provenance.ts';
import { HvbError } from '../util/errors.ts';
import { errorInfo, pendingCase, type CaseRecord, type ErrorInfo, type HostFacts, type SuiteOverrides } from '../results/run-record.ts';
import type { Sample } from '../results/sample.ts';
import { appendSamples } from '../results/samples-file.ts';
import { createRun, finishRun, updateRun, type StoredRun, type WritableCheck } from '../results/store.ts';
import { SCRATCH_DIR } from '../results/scratch-dir.ts';
import { writeGuestLog } from '../results/guest-logs.ts';
import type { Case, ResolvedSuite } from '../suite/types.ts';
import { BOOT_METRICS } from '../workloads/boot.ts';
import { HOST_METRICS } from '../workloads/host-metrics.ts';
import type { Workload } from '../workloads/workload.ts';
import { setupCase, type CaseSetup, type NetworkProvider } from './case-setup.ts';
import type { RunObserver } from './events.ts';
import { runRepetition, type RepOutcome } from './repetition.ts';
import { prepareResume } from './resume.ts';
import { rejectOutOfRange } from './value-check.ts';
import { caseDims, toSamples, type RunProvenance } from './sample-dims.ts';
import { caseTimeoutSec } from './timeout.ts';
import { factsOf } from './host-facts-of.ts';
import { assignHosts, type HostAssignment } from './host-assign.ts';
import { groupKey } from '../stats/interleave.ts';
import { shouldContinueRound, type StoppingPolicy } from '../stats/stopping.ts';

export interface RunSuiteOptions {
  suite: ResolvedSuite;
  suiteFile: string;
  cases: Case[];
  outDir: string;
  image: GuestImage;
  /** The host when there is only one; it then offers every backend. Ignored when `hosts` is given. */
  host: Host;
  /** Hosts to spread the cases over (see host-assign.ts); default: `host` alone. */
  hosts?: RunHost[];
  backends: (name: string) => Backend;
  workloads: Record<string, Workload>;
  observer?: RunObserver;
  /** Aborted on Ctrl-C: the current VM is killed, the run is recorded as interrupted. */
  signal?: AbortSignal;
  /**
   * Opens a case's network, by the attachment its backend declares (Backend.network):
   * `local-netns` on the local host (default: QEMU user-mode networking, without peers),
   * `host-bridge` on the host that runs the guest (Xen: in dom0; without it such network
   * cases fail with why).
   */
  networks?: Partial<Record<NetworkAttachment, NetworkProvider>>;
  /** Command-line choices that changed the suite's cases, recorded in run.json for `--resume`. */
  suiteOverrides?: SuiteOverrides;
  /**
   * Go on with this stored run instead of making a new one (`run --resume`, see resume.ts):
   * `cases` are its cases in its order; completed ones are kept, the others run again.
   */
  resume?: StoredRun;
  /** Stop at the first case that fails or times out; the cases not run are recorded as skipped, with the reason. */
  failFast?: boolean;
  /** How the results folder is checked before measuring (free space). */
  writable?: WritableCheck;
}

/** A host of the run: how to reach it and what it offers. */
export interface RunHost {
  config: HostConfig;
  host: Host;
}

export interface RunSuiteResult {
  run: StoredRun;
  samples: Sample[];
}

/** Lines of the guest console kept in run.json when a case does not complete. */
const LOG_TAIL_LINES = 30;

/** Scratch disks live in the run folder (never tmpfs: QEMU opens them with O_DIRECT), removed after each case. */
export { SCRATCH_DIR };

/** What the runner learnt about one host before measuring. */
interface HostState {
  run: RunHost;
  /** Absent when the host did not answer. */
  facts?: HostFacts;
  unreachable?: string;
  capabilities: Map<string, Capability>;
  /** Where this host's scratch disks go; made on first use. */
  scratchDir?: string;
}

/**
 * Runs every case of a suite and writes each repetition's samples to disk as soon as it
 * ends. Cases go to hosts that offer their backend (host-assign.ts); each host runs one
 * guest at a time — a benchmark host is never shared with another case — and different
 * hosts run in parallel. Cases of a backend that cannot run on their host, or that ask for
 * a device their backend does not offer, are recorded as skipped with the reason; cases of
 * a host that does not answer fail with the cause, and the other hosts go on.
 */
export async function runSuite(options: RunSuiteOptions): Promise<RunSuiteResult> {
  const t0 = Date.now();
  // Run folders (and the scratch disks in them) are handed to VMMs that run elsewhere: absolute from here on.
  const o: RunSuiteOptions = { ...options, outDir: resolve(options.outDir), ...(options.resume ? { resume: { ...options.resume, dir: resolve(options.resume.dir) } } : {}) };
  const observe = o.observer ?? (() => undefined);
  const runHosts = o.hosts ?? [{ config: { name: o.host.name, kind: o.host.kind, backends: [...new Set(o.cases.map((c) => c.backend))] }, host: o.host }];
  const assignment = assignHosts(o.cases, runHosts.map((h) => h.config), o.suite.interleave);
  const used = runHosts.filter((h) => assignment.some((a) => 'host' in a && a.host === h.config.name));
  const states = new Map<string, HostState>();
  await Promise.all(used.map(async (h) => states.set(h.config.name, await inspectHost(h, o, assignment))));

  const resumed = o.resume ? await prepareResume(o.resume, o.cases, (c) => stopMetricOf(o, c), o.writable) : undefined;
  const run = resumed?.run ?? await createRun(o.outDir, {
    suite: { name: o.suite.name, file: o.suiteFile, resolved: o.suite, ...(o.suiteOverrides ? { overrides: o.suiteOverrides } : {}) },
    hvbench: await hvbenchVersion(),
    hosts: [...states.values()].flatMap((s) => (s.facts ? [{ ...s.facts, kind: s.run.config.kind }] : [])),
    image: { id: o.image.manifest.id, hash: o.image.hash, kernelVersion: o.image.manifest.kernel.version },
    backends: [...states.values()].flatMap((s) =>
      s.unreachable !== undefined
        ? s.run.config.backends.filter((b) => o.cases.some((c) => c.backend === b)).map((b) => ({ backend: b, host: s.run.config.name, available: false, reason: s.unreachable!, facts: {} }))
        : [...s.capabilities.values()].map((c) => ({ backend: c.backend, host: s.run.config.name, available: c.available, reason: c.reason, facts: c.facts })),
    ),
    cases: o.cases.map(pendingCase),
  }, o.writable);
  const plans = o.cases.map((c, i) => planCase(c, assignment[i]!, states, o));
  const todo = o.cases.filter((c) => !resumed?.done.has(c.id));
  const total = o.cases.reduce((n, c, i) => n + ('devices' in plans[i]! && !resumed?.done.has(c.id) ? c.warmup + c.repetitions - (resumed?.kept.get(c.id)?.length ?? 0) : 0), 0);
  observe({ type: 'run-start', runId: run.id, dir: run.dir, cases: todo.length, repetitions: total });

  const counter: Counter = { seq: resumed?.nextSeq ?? 0, first: resumed?.nextSeq ?? 0, total, observe };
  /** Per host, its groups in suite order. */
  const queues = new Map<string, Map<string, Member[]>>();
  const announced = new Set<string>();
  for (const [i, c] of o.cases.entries()) {
    const record = run.record.cases[i] as CaseRecord;
    const plan = plans[i]!;
    if (resumed?.done.has(c.id)) continue;
    if ('fail' in plan && o.failFast) counter.stop ??= { code: 'fail-fast', message: `--fail-fast: case ${c.id} failed: ${plan.fail}` };
    if ('skip' in plan || 'fail' in plan) {
      await updateRun(run, () => {
        record.status = 'skip' in plan ? 'skipped' : 'failed';
        record.error = { message: 'skip' in plan ? plan.skip : plan.fail, ...('skip' in plan && plan.unavailable ? { code: BACKEND_UNAVAILABLE } : {}) };
        if ('fail' in plan) record.host = plan.host;
      });
      if ('skip' in plan && plan.unavailable) {
        const away = plan.unavailable;
        // One line per backend that cannot run on a host, not one per case.
        const key = `${away.host}\u0000${away.backend}`;
        if (!announced.has(key)) {
          announced.add(key);
          const n = plans.filter((p, j) => 'skip' in p && p.unavailable?.host === away.host && p.unavailable.backend === away.backend && !resumed?.done.has(o.cases[j]!.id)).length;
          observe({ type: 'backend-unavailable', backend: away.backend, host: away.host, message: plan.skip, reason: plan.reason, cases: n });
        }
      } else if ('skip' in plan) observe({ type: 'case-skipped', caseId: c.id, reason: plan.reason });
      else observe({ type: 'case-failed', caseId: c.id, reason: plan.fail });
      continue;
    }
    const state = plan.state;
    const capability = state.capabilities.get(c.backend) as Capability;
    const facts = state.facts as HostFacts;
    const provenance: RunProvenance = { suite: o.suite.name, run: run.id, host: state.run.config.name, hostKind: state.run.config.kind, hostCpu: facts.cpuModel, image: o.image.hash, backendFacts: factDimsOf(o.backends(c.backend), capability) };
    const key = o.suite.interleave ? groupKey(c) : c.id;
    const groups = queues.get(state.run.config.name) ?? new Map<string, Member[]>();
    queues.set(state.run.config.name, groups);
    const members = groups.get(key) ?? [];
    members.push({ c, record, provenance, devices: plan.devices, caseIndex: i, state, stopValues: [...(resumed?.kept.get(c.id) ?? [])], failed: false });
    groups.set(key, members);
  }
  const perHost = await Promise.all(
    [...queues.values()].map(async (groups) => {
      const samples: Sample[] = [];
      try {
        for (const members of groups.values()) {
          if (stopped(o, counter)) break;
          samples.push(...(await runGroup(o, run, members, counter)));
        }
      } catch (e) {
        // A results write that failed (full disk), or any other fault: stop every host, record it below.
        counter.fatal ??= e;
        counter.stop ??= { ...errorInfo(e), code: errorInfo(e).code ?? 'error' };
      }
      return samples;
    }),
  );
  const samples = perHost.flat();
  for (const state of states.values()) {
    if (state.scratchDir !== undefined) await state.run.host.removeTree(state.scratchDir).catch(() => {});
  }
  const status = o.signal?.aborted ? 'interrupted' : counter.stop ? 'failed' : 'completed';
  try {
    if (counter.stop && !o.signal?.aborted) await recordNotRun(run, counter.stop);
    await finishRun(run, status, status === 'failed' ? counter.stop : undefined);
  } catch (e) {
    // run.json cannot be written either (the same full disk): the first fault is the one to report.
    if (counter.fatal === undefined) throw e;
  }
  observe({ type: 'run-end', status, wallMs: Date.now() - t0 });
  if (counter.fatal !== undefined) throw counter.fatal;
  return { run, samples };
}

/** True once the run must not start another repetition: Ctrl-C, `--fail-fast`, or a fault. */
function stopped(o: RunSuiteOptions, counter: Counter): boolean {
  return o.signal?.aborted === true || counter.stop !== undefined;
}

/** After a stop, the cases left pending: skipped when none of their repetitions ran, failed otherwise. */
async function recordNotRun(run: StoredRun, stop: ErrorInfo): Promise<void> {
  await updateRun(run, (r) => {
    for (const c of r.cases) {
      if (c.status !== 'pending') continue;
      const started = c.repetitionsDone > 0;
      c.status = started ? 'failed' : 'skipped';
      c.error = { ...stop, message: `${started ? 'stopped before all repetitions ran' : 'not run'}: ${stop.message}` };
      c.endedAt = new Date().toISOString();
    }
  });
}

/** The metric that drives the stopping rule of a case. */
function stopMetricOf(o: RunSuiteOptions, c: Case): string {
  return o.suite.stopMetric ?? (o.workloads[c.workload] as Workload | undefined)?.metrics[0]?.name ?? 'boot.to_ready_ms';
}

/** Facts and backend capabilities of a host; a host that does not answer is marked, not thrown. */
async function inspectHost(h: RunHost, o: RunSuiteOptions, assignment: HostAssignment[]): Promise<HostState> {
  const state: HostState = { run: h, capabilities: new Map() };
  try {
    state.facts = await factsOf(h.host);
  } catch (e) {
    state.unreachable = `host ${h.config.name} is unreachable: ${e instanceof Error ? e.message : String(e)}`;
    return state;
  }
  const backends = new Set(o.cases.filter((_, i) => { const a = assignment[i]!; return 'host' in a && a.host === h.config.name; }).map((c) => c.backend));
  // Probes run side by side: one may take a while (KVM's canary boot, up to a minute the first time).
  const observe = o.observer ?? (() => undefined);
  const found = await Promise.all([...backends].map(async (name) => {
    const log = (line: string) => observe({ type: 'probe-log', backend: name, host: h.config.name, line });
    // A probe that cannot finish (a dropped connection, a command that timed out) makes the backend unavailable there, with why.
    return o.backends(name).probe(h.host, { image: o.image, log }).catch((e: unknown): Capability => ({ backend: name, available: false, reason: `its probe failed: ${e instanceof Error ? e.message : String(e)}`, facts: {} }));
  }));
  for (const [i, name] of [...backends].entries()) state.capabilities.set(name, found[i]!);
  return state;
}

type CasePlan =
  | { devices: CaseDevices; state: HostState }
  | { skip: string; reason: string; unavailable?: { backend: string; host: string } }
  | { fail: string; host: string };

/** The error code of a case skipped because its backend cannot run on its host (its probe said no). */
export const BACKEND_UNAVAILABLE = 'backend-unavailable';

/** Whether a case can run: it has a host that answers, its backend is available there and offers the devices it needs. */
function planCase(c: Case, assigned: HostAssignment, states: Map<string, HostState>, o: RunSuiteOptions): CasePlan {
  if ('unassigned' in assigned) return { skip: assigned.unassigned, reason: assigned.unassigned };
  const state = states.get(assigned.host) as HostState;
  if (state.unreachable !== undefined) return { fail: state.unreachable, host: assigned.host };
  const capability = state.capabilities.get(c.backend) as Capability;
  const where = state.run.config.kind === 'local' ? 'here' : `on host ${assigned.host}`;
  if (!capability.available) return { skip: `backend ${c.backend} cannot run ${where}: ${capability.reason}`, reason: capability.reason, unavailable: { backend: c.backend, host: assigned.host } };
  const workload = o.workloads[c.workload] as Workload;
  const backend = o.backends(c.backend);
  const planned = caseDevices(c.backend, backend.devices(c.variant?.value), workload.devices?.(c.params) ?? {});
  if ('skip' in planned) return { skip: `${c.backend} cannot run this case: ${planned.skip}`, reason: planned.skip };
  if (planned.devices.nic && backend.network === 'local-netns' && state.run.config.kind !== 'local') {
    const reason = `network workloads of ${c.backend} run on the local host only for now (the peers live in a local network namespace); host ${assigned.host} is ${state.run.config.kind}`;
    return { skip: reason, reason };
  }
  return { devices: planned.devices, state };
}

interface Counter {
  /** Position of the next repetition in the run: the order recorded with every sample. */
  seq: number;
  /** `seq` of this sitting's first repetition (not 0 when resumed): progress counts from there. */
  first: number;
  total: number;
  observe: RunObserver;
  /** Why no further repetition starts (`--fail-fast`, a fault), once one of them happened. */
  stop?: ErrorInfo;
  /** The fault that stopped the run, thrown once the run is recorded as failed. */
  fatal?: unknown;
}

/** A case of a group: cases that differ only in their backend take turns (A B A B …). */
interface Member {
  c: Case;
  record: CaseRecord;
  provenance: RunProvenance;
  devices: CaseDevices;
  caseIndex: number;
  /** The host the case runs on. */
  state: HostState;
  setup?: CaseSetup;
  /** Values of the metric that drives the stopping rule, one per measured repetition. */
  stopValues: number[];
  failed: boolean;
}

/**
 * Runs a group: every member's warm-ups, then rounds of one measured repetition per member
 * until each has its `repetitions`, then more rounds while the stopping rule asks for them
 * (a CI target, capped by `maxRepetitions` and `timeBudgetSec`). A member that fails stops;
 * the others go on.
 */
async function runGroup(o: RunSuiteOptions, run: StoredRun, members: Member[], counter: Counter): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const m of members) await openMember(o, run, m, counter);
  try {
    for (const m of members) {
      for (let rep = 1; rep <= m.c.warmup && !m.failed && !stopped(o, counter); rep++) samples.push(...(await repetition(o, run, m, rep, true, counter)));
    }
    const policy = stoppingPolicy(o.suite, members[0]!.c);
    const t0 = Date.now();
    while (!stopped(o, counter)) {
      const active = members.filter((m) => !m.failed);
      if (active.length === 0) break;
      // Members behind the minimum go first (after a resume they may have kept different counts).
      const behind = active.filter((m) => m.stopValues.length < policy.min);
      if (behind.length === 0 && !shouldContinueRound(active.map((m) => m.stopValues), policy, Date.now() - t0).continue) break;
      for (const m of behind.length > 0 ? behind : active) {
        if (stopped(o, counter)) break;
        samples.push(...(await repetition(o, run, m, m.stopValues.length + 1, false, counter)));
      }
    }
    for (const m of members.filter((x) => !x.failed)) {
      // Stopped by --fail-fast or a fault before its repetitions were done: recorded at the end (recordNotRun).
      if (counter.stop && !o.signal?.aborted && m.stopValues.length < policy.min) continue;
      await updateRun(run, () => {
        m.record.status = o.signal?.aborted ? 'failed' : 'completed';
        if (o.signal?.aborted) m.record.error = { message: 'interrupted before all repetitions ran' };
        m.record.endedAt = new Date().toISOString();
      });
    }
  } finally {
    for (const m of members) await m.setup?.release();
  }
  return samples;
}

function stoppingPolicy(suite: ResolvedSuite, c: Case): StoppingPolicy {
  return {
    min: c.repetitions,
    max: Math.max(c.repetitions, suite.maxRepetitions ?? c.repetitions),
    ...(suite.targetCiHalfWidth === undefined ? {} : { targetCiHalfWidth: suite.targetCiHalfWidth }),
    ...(suite.timeBudgetSec === undefined ? {} : { timeBudgetSec: suite.timeBudgetSec }),
  };
}

/** Prepares a member's devices and network; a failure fails the case, not the run. */
async function openMember(o: RunSuiteOptions, run: StoredRun, m: Member, counter: Counter): Promise<void> {
  const workload = o.workloads[m.c.workload] as Workload;
  const { host, config } = m.state.run;
  await updateRun(run, () => {
    m.record.status = 'pending';
    m.record.host = config.name;
    m.record.startedAt = new Date().toISOString();
  });
  try {
    const scratchDir = (m.state.scratchDir ??= config.kind === 'local' ? join(run.dir, SCRATCH_DIR) : await host.makeTempDir('hvbench-scratch-'));
    const network = networkOf(o, o.backends(m.c.backend), config.kind);
    m.setup = await setupCase({ caseId: m.c.id, slug: `case-${m.caseIndex + 1}`, workload, devices: m.devices, image: o.image, host, scratchDir, ...(network ? { network } : {}) });
  } catch (e) {
    m.failed = true;
    if (o.failFast) counter.stop ??= { code: 'fail-fast', message: `--fail-fast: case ${m.c.id} failed: ${errorInfo(e).message}` };
    await updateRun(run, () => {
      m.record.status = 'failed';
      m.record.error = errorInfo(e);
      m.record.endedAt = new Date().toISOString();
    });
  }
}

/** The provider of a case's network: by its backend's attachment, on the host the case runs on. */
function networkOf(o: RunSuiteOptions, backend: Backend, hostKind: string): NetworkProvider | undefined {
  if (backend.network === 'host-bridge') return o.networks?.['host-bridge'] ?? noHostBridge(backend);
  return backend.network === 'local-netns' && hostKind === 'local' ? o.networks?.['local-netns'] : undefined;
}

/** A `host-bridge` case without a provider: a NIC would have nowhere to go. */
function noHostBridge(backend: Backend): NetworkProvider {
  const where = backend.bridgeWhere ?? 'on the host that runs its guest';
  return {
    open: () => Promise.reject(new HvbError('net-no-provider', `a ${backend.label ?? backend.name} network case needs a bridge and peers ${where}, and this run has no provider for them`)),
  };
}

/** The probe's facts that the backend makes dimensions of every sample. */
function factDimsOf(backend: Backend, capability: Capability): Record<string, string> {
  return Object.fromEntries(backend.factDims.flatMap((k) => (capability.facts[k] === undefined ? [] : [[k, capability.facts[k]!]])));
}

/** One guest boot of a member: run, store its samples and log at once, record it. */
async function repetition(o: RunSuiteOptions, run: StoredRun, m: Member, rep: number, warmup: boolean, counter: Counter): Promise<Sample[]> {
  const { c } = m;
  const setup = m.setup as CaseSetup;
  const workload = o.workloads[c.workload] as Workload;
  const timeoutSec = caseTimeoutSec(workload.expectedSeconds(c.params), c.timeoutSec);
  const defs = [...workload.metrics, ...BOOT_METRICS, ...HOST_METRICS];
  const seq = counter.seq++;
  const index = seq - counter.first + 1;
  counter.total = Math.max(counter.total, index);
  counter.observe({ type: 'rep-start', index, total: counter.total, caseId: c.id, backend: c.backend, workload: c.workload, rep, warmup });
  const name = `${c.workload}-${warmup ? 'w' : 'r'}${rep}`;
  const outcome = rejectOutOfRange(await runRepetition({ backend: o.backends(c.backend), host: setup.host, image: o.image, workload, params: c.params, ...(c.variant ? { variant: c.variant.value } : {}), vcpus: c.guest.vcpus, memoryMiB: c.guest.memoryMiB, timeoutSec, name, setup, ...(o.signal ? { signal: o.signal } : {}) }));
  const dims = { ...caseDims(c, rep, outcome.accel ?? 'unknown', outcome.guestKernel, m.provenance), seq, ...setup.dims, ...outcome.dims };
  const repSamples = warmup ? [] : toSamples(outcome.values, defs, dims, outcome.startedAt);
  await appendSamples(run, repSamples);
  const logFile = await writeGuestLog(run, c.id, warmup ? `w${rep}` : rep, renderLog(outcome, setup.extraLog()));
  await updateRun(run, () => recordRepetition(m.record, outcome, rep, warmup, logFile, seq));
  counter.observe({ type: 'rep-end', index, total: counter.total, caseId: c.id, rep, warmup, status: outcome.status, wallMs: outcome.wallMs, ...(outcome.error ? { error: outcome.error } : {}) });
  if (outcome.status !== 'completed') {
    m.failed = true;
    if (o.failFast && !o.signal?.aborted) counter.stop ??= { code: 'fail-fast', message: `--fail-fast: case ${c.id} ${outcome.status === 'timed-out' ? 'timed out' : 'failed'} (${warmup ? 'warm-up' : 'repetition'} ${rep})` };
  } else if (!warmup) {
    const stopMetric = stopMetricOf(o, c);
    const v = outcome.values.find((x) => x.metric === stopMetric);
    if (v) m.stopValues.push(v.value);
    else m.stopValues.push(Number.NaN);
  }
  return repSamples;
}

function recordRepetition(record: CaseRecord, outcome: RepOutcome, rep: number, warmup: boolean, logFile: string, seq: number): void {
  (record.logs ??= []).push(logFile);
  if (outcome.usage) {
    record.usage.push({ rep, seq, warmup, ...(outcome.accel ? { accel: outcome.accel } : {}), wallS: outcome.wallMs / 1000, cpuUserS: outcome.usage.cpuUserS, cpuSystemS: outcome.usage.cpuSystemS, peakRssKiB: outcome.usage.peakRssKiB });
  }
  if (outcome.status === 'completed') {
    if (!warmup) record.repetitionsDone++;
    return;
  }
  record.status = outcome.status;
  record.error = errorInfo(new Error(`${warmup ? 'warm-up' : 'repetition'} ${rep}: ${outcome.error ?? outcome.status}`));
  record.guestLogTail = outcome.guestLog.slice(-LOG_TAIL_LINES);
  record.endedAt = new Date().toISOString();
}

function renderLog(outcome: RepOutcome, extra: string): string {
  const vmm = outcome.vmmLog.trim();
  const peers = extra.trim();
  const steps = outcome.steps.flatMap((s) => [`--- step ${s.id}: exit ${s.exitCode}, ${s.elapsedMs} ms ---`, s.output.trimEnd()]);
  return [...outcome.guestLog, ...steps, ...(vmm ? ['--- VMM stderr ---', vmm] : []), ...(peers ? ['--- network peers ---', peers] : [])].join('\n') + '\n';
}
