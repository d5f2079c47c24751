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

  const samples: Sample[] = [];
  let index = 0;
  for (const [i, c] of o.cases.entries()) {
    const record = run.record.cases[i] as CaseRecord;
    const capability = capabilities.get(c.backend) as Capability;
    const plan = plans[i]!;
    if (o.signal?.aborted) break;
    if ('skip' in plan) {
      await updateRun(run, () => {
        record.status = 'skipped';
        record.error = { message: plan.skip };
      });
      observe({ type: 'case-skipped', caseId: c.id, reason: plan.reason });
      continue;
    }
    const provenance: RunProvenance = { suite: o.suite.name, run: run.id, host: o.host.name, hostCpu: hostInfo.cpuModel, image: o.image.hash, backendFacts: capability.facts };
    const ran = await runCase(o, run, c, record, provenance, plan.devices, i, { next: () => ++index, total, observe });
    samples.push(...ran);
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
  next: () => number;
  total: number;
  observe: RunObserver;
}

async function runCase(o: RunSuiteOptions, run: StoredRun, c: Case, record: CaseRecord, provenance: RunProvenance, devices: CaseDevices, caseIndex: number, counter: Counter): Promise<Sample[]> {
  const workload = o.workloads[c.workload] as Workload;
  await updateRun(run, () => {
    record.status = 'pending';
    record.host = o.host.name;
    record.startedAt = new Date().toISOString();
  });
  let setup: CaseSetup;
  try {
    setup = await setupCase({ caseId: c.id, slug: `case-${caseIndex + 1}`, workload, devices, image: o.image, host: o.host, scratchDir: join(run.dir, SCRATCH_DIR), ...(o.network ? { network: o.network } : {}) });
  } catch (e) {
    await updateRun(run, () => {
      record.status = 'failed';
      record.error = errorInfo(e);
      record.endedAt = new Date().toISOString();
    });
    return [];
  }
  try {
    return await runRepetitions(o, run, c, record, provenance, setup, counter);
  } finally {
    await setup.release();
  }
}

async function runRepetitions(o: RunSuiteOptions, run: StoredRun, c: Case, record: CaseRecord, provenance: RunProvenance, setup: CaseSetup, counter: Counter): Promise<Sample[]> {
  const workload = o.workloads[c.workload] as Workload;
  const backend = o.backends(c.backend);
  const timeoutSec = caseTimeoutSec(workload.expectedSeconds(c.params), c.timeoutSec);
  const defs = [...workload.metrics, ...BOOT_METRICS, ...HOST_METRICS];
  const samples: Sample[] = [];
  const plan = [...Array.from({ length: c.warmup }, (_, k) => ({ rep: k + 1, warmup: true })), ...Array.from({ length: c.repetitions }, (_, k) => ({ rep: k + 1, warmup: false }))];
  for (const { rep, warmup } of plan) {
    if (o.signal?.aborted) break;
    const index = counter.next();
    counter.observe({ type: 'rep-start', index, total: counter.total, caseId: c.id, backend: c.backend, workload: c.workload, rep, warmup });
    const name = `${c.workload}-${warmup ? 'w' : 'r'}${rep}`;
    const outcome = await runRepetition({ backend, host: setup.host, image: o.image, workload, params: c.params, vcpus: c.guest.vcpus, memoryMiB: c.guest.memoryMiB, timeoutSec, name, setup, ...(o.signal ? { signal: o.signal } : {}) });
    const dims = { ...caseDims(c, rep, outcome.accel ?? 'unknown', outcome.guestKernel, provenance), ...setup.dims, ...outcome.dims };
    const repSamples = warmup ? [] : toSamples(outcome.values, defs, dims, outcome.startedAt);
    await appendSamples(run, repSamples);
    samples.push(...repSamples);
    const logFile = await writeGuestLog(run, c.id, warmup ? `w${rep}` : rep, renderLog(outcome, setup.extraLog()));
    await updateRun(run, () => recordRepetition(record, outcome, rep, warmup, logFile));
    counter.observe({ type: 'rep-end', index, total: counter.total, caseId: c.id, rep, warmup, status: outcome.status, wallMs: outcome.wallMs, ...(outcome.error ? { error: outcome.error } : {}) });
    if (outcome.status !== 'completed') return samples;
  }
  await updateRun(run, () => {
    record.status = o.signal?.aborted ? 'failed' : 'completed';
    if (o.signal?.aborted) record.error = { message: 'interrupted before all repetitions ran' };
    record.endedAt = new Date().toISOString();
  });
  return samples;
}

function recordRepetition(record: CaseRecord, outcome: RepOutcome, rep: number, warmup: boolean, logFile: string): void {
  (record.logs ??= []).push(logFile);
  if (outcome.usage) {
    record.usage.push({ rep, warmup, ...(outcome.accel ? { accel: outcome.accel } : {}), wallS: outcome.wallMs / 1000, cpuUserS: outcome.usage.cpuUserS, cpuSystemS: outcome.usage.cpuSystemS, peakRssKiB: outcome.usage.peakRssKiB });
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
