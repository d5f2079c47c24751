import { join } from 'node:path';
import type { Backend, Capability } from '../backends/backend.ts';
import type { BackendDevices } from '../devices/capabilities.ts';
import { caseDevices, type CaseDevices } from '../devices/case-devices.ts';
import type { GuestImage } from '../guest/image.ts';
import type { Host } from '../hosts/host.ts';
import { hostFacts } from '../results/host-facts.ts';
import { hvbenchVersion } from '../results/provenance.ts';
import { errorInfo, pendingCase, type BackendFacts, type CaseRecord } from '../results/run-record.ts';
import type { Sample } from '../results/sample.ts';
import { appendSamples } from '../results/samples-file.ts';
import { createRun, finishRun, updateRun, type StoredRun } from '../results/store.ts';
import { writeGuestLog } from '../results/guest-logs.ts';
import type { Case, ResolvedSuite } from '../suite/types.ts';
import { BOOT_METRICS } from '../workloads/boot.ts';
import { HOST_METRICS } from '../workloads/host-metrics.ts';
import type { Workload } from '../workloads/workload.ts';
import { setupCase, type CaseSetup, type NetworkProvider } from './case-setup.ts';
import type { RunObserver } from './events.ts';
import { runRepetition, type RepOutcome } from './repetition.ts';
import { caseDims, toSamples, type RunProvenance } from './sample-dims.ts';
import { caseTimeoutSec } from './timeout.ts';
import { groupKey } from '../stats/interleave.ts';
import { shouldContinueRound, type StoppingPolicy } from '../stats/stopping.ts';

export interface RunSuiteOptions {
  suite: ResolvedSuite;
  suiteFile: string;
  cases: Case[];
  outDir: string;
  image: GuestImage;
  host: Host;
  backends: (name: string) => Backend;
  workloads: Record<string, Workload>;
  observer?: RunObserver;
  /** Aborted on Ctrl-C: the current VM is killed, the run is recorded as interrupted. */
  signal?: AbortSignal;
  /** Devices each backend offers. Default: src/devices/capabilities.ts. */
  devices?: Record<string, BackendDevices>;
  /** Opens the host side of a case's NIC. Default: QEMU user-mode networking, without peers. */
  network?: NetworkProvider;
}

export interface RunSuiteResult {
  run: StoredRun;
  samples: Sample[];
}

/** Lines of the guest console kept in run.json when a case does not complete. */
const LOG_TAIL_LINES = 30;

/** Scratch disks live in the run folder (never tmpfs: QEMU opens them with O_DIRECT), removed after each case. */
export const SCRATCH_DIR = 'scratch';

/**
 * Runs every case of a suite, one guest boot at a time, and writes each repetition's
 * samples to disk as soon as it ends. Cases of a backend that cannot run here, or that
 * ask for a device their backend does not offer, are recorded as skipped with the reason.
 */
export async function runSuite(o: RunSuiteOptions): Promise<RunSuiteResult> {
  const t0 = Date.now();
  const observe = o.observer ?? (() => undefined);
  const hostInfo = await hostFacts(o.host.name);
  const capabilities = new Map<string, Capability>();
  for (const name of new Set(o.cases.map((c) => c.backend))) capabilities.set(name, await o.backends(name).probe(o.host));
  const backendFacts: BackendFacts[] = [...capabilities.values()].map((c) => ({ backend: c.backend, host: o.host.name, available: c.available, reason: c.reason, facts: c.facts }));

  const run = await createRun(o.outDir, {
    suite: { name: o.suite.name, file: o.suiteFile, resolved: o.suite },
    hvbench: await hvbenchVersion(),
    hosts: [hostInfo],
    image: { id: o.image.manifest.id, hash: o.image.hash, kernelVersion: o.image.manifest.kernel.version },
    backends: backendFacts,
    cases: o.cases.map(pendingCase),
  });
  const plans = o.cases.map((c) => planCase(c, capabilities.get(c.backend) as Capability, o));
  const total = o.cases.reduce((n, c, i) => n + ('devices' in plans[i]! ? c.warmup + c.repetitions : 0), 0);
  observe({ type: 'run-start', runId: run.id, dir: run.dir, cases: o.cases.length, repetitions: total });

  const counter: Counter = { seq: 0, total, observe };
  const groups = new Map<string, Member[]>();
  for (const [i, c] of o.cases.entries()) {
    const record = run.record.cases[i] as CaseRecord;
    const plan = plans[i]!;
    if ('skip' in plan) {
      await updateRun(run, () => {
        record.status = 'skipped';
        record.error = { message: plan.skip };
      });
      observe({ type: 'case-skipped', caseId: c.id, reason: plan.reason });
      continue;
    }
    const capability = capabilities.get(c.backend) as Capability;
    const provenance: RunProvenance = { suite: o.suite.name, run: run.id, host: o.host.name, hostCpu: hostInfo.cpuModel, image: o.image.hash, backendFacts: capability.facts };
    const key = o.suite.interleave ? groupKey(c) : c.id;
    const members = groups.get(key) ?? [];
    members.push({ c, record, provenance, devices: plan.devices, caseIndex: i, stopValues: [], failed: false });
    groups.set(key, members);
  }
  const samples: Sample[] = [];
  for (const members of groups.values()) {
    if (o.signal?.aborted) break;
    samples.push(...(await runGroup(o, run, members, counter)));
  }
  await o.host.removeTree(join(run.dir, SCRATCH_DIR)).catch(() => {});
  const status = o.signal?.aborted ? 'interrupted' : 'completed';
  await finishRun(run, status);
  observe({ type: 'run-end', status, wallMs: Date.now() - t0 });
  return { run, samples };
}

/** Whether a case can run: its backend is available here and offers the devices it needs. */
function planCase(c: Case, capability: Capability, o: RunSuiteOptions): { devices: CaseDevices } | { skip: string; reason: string } {
  if (!capability.available) return { skip: `backend ${c.backend} cannot run here: ${capability.reason}`, reason: capability.reason };
  const workload = o.workloads[c.workload] as Workload;
  const planned = caseDevices(c.backend, workload.devices?.(c.params) ?? {}, o.devices);
  return 'skip' in planned ? { skip: `${c.backend} cannot run this case: ${planned.skip}`, reason: planned.skip } : planned;
}

interface Counter {
  /** Position of the next repetition in the run: the order recorded with every sample. */
  seq: number;
  total: number;
  observe: RunObserver;
}

/** A case of a group: cases that differ only in their backend take turns (A B A B …). */
interface Member {
  c: Case;
  record: CaseRecord;
  provenance: RunProvenance;
  devices: CaseDevices;
  caseIndex: number;
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
  for (const m of members) await openMember(o, run, m);
  try {
    for (const m of members) {
      for (let rep = 1; rep <= m.c.warmup && !m.failed && !o.signal?.aborted; rep++) samples.push(...(await repetition(o, run, m, rep, true, counter)));
    }
    const policy = stoppingPolicy(o.suite, members[0]!.c);
    const t0 = Date.now();
    for (let rep = 1; !o.signal?.aborted; rep++) {
      const active = members.filter((m) => !m.failed);
      if (active.length === 0) break;
      if (!shouldContinueRound(active.map((m) => m.stopValues), policy, Date.now() - t0).continue) break;
      for (const m of active) {
        if (o.signal?.aborted) break;
        samples.push(...(await repetition(o, run, m, rep, false, counter)));
      }
    }
    for (const m of members.filter((x) => !x.failed)) {
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
async function openMember(o: RunSuiteOptions, run: StoredRun, m: Member): Promise<void> {
  const workload = o.workloads[m.c.workload] as Workload;
  await updateRun(run, () => {
    m.record.status = 'pending';
    m.record.host = o.host.name;
    m.record.startedAt = new Date().toISOString();
  });
  try {
    m.setup = await setupCase({ caseId: m.c.id, slug: `case-${m.caseIndex + 1}`, workload, devices: m.devices, image: o.image, host: o.host, scratchDir: join(run.dir, SCRATCH_DIR), ...(o.network ? { network: o.network } : {}) });
  } catch (e) {
    m.failed = true;
    await updateRun(run, () => {
      m.record.status = 'failed';
      m.record.error = errorInfo(e);
      m.record.endedAt = new Date().toISOString();
    });
  }
}

/** One guest boot of a member: run, store its samples and log at once, record it. */
async function repetition(o: RunSuiteOptions, run: StoredRun, m: Member, rep: number, warmup: boolean, counter: Counter): Promise<Sample[]> {
  const { c } = m;
  const setup = m.setup as CaseSetup;
  const workload = o.workloads[c.workload] as Workload;
  const timeoutSec = caseTimeoutSec(workload.expectedSeconds(c.params), c.timeoutSec);
  const defs = [...workload.metrics, ...BOOT_METRICS, ...HOST_METRICS];
  const seq = counter.seq++;
  const index = seq + 1;
  counter.total = Math.max(counter.total, index);
  counter.observe({ type: 'rep-start', index, total: counter.total, caseId: c.id, backend: c.backend, workload: c.workload, rep, warmup });
  const name = `${c.workload}-${warmup ? 'w' : 'r'}${rep}`;
  const outcome = await runRepetition({ backend: o.backends(c.backend), host: setup.host, image: o.image, workload, params: c.params, vcpus: c.guest.vcpus, memoryMiB: c.guest.memoryMiB, timeoutSec, name, setup, ...(o.signal ? { signal: o.signal } : {}) });
  const dims = { ...caseDims(c, rep, outcome.accel ?? 'unknown', outcome.guestKernel, m.provenance), seq, ...setup.dims, ...outcome.dims };
  const repSamples = warmup ? [] : toSamples(outcome.values, defs, dims, outcome.startedAt);
  await appendSamples(run, repSamples);
  const logFile = await writeGuestLog(run, c.id, warmup ? `w${rep}` : rep, renderLog(outcome, setup.extraLog()));
  await updateRun(run, () => recordRepetition(m.record, outcome, rep, warmup, logFile, seq));
  counter.observe({ type: 'rep-end', index, total: counter.total, caseId: c.id, rep, warmup, status: outcome.status, wallMs: outcome.wallMs, ...(outcome.error ? { error: outcome.error } : {}) });
  if (outcome.status !== 'completed') m.failed = true;
  else if (!warmup) {
    const stopMetric = o.suite.stopMetric ?? workload.metrics[0]?.name ?? 'boot.to_ready_ms';
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
