import type { Backend, Capability } from '../backends/backend.ts';
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
}

export interface RunSuiteResult {
  run: StoredRun;
  samples: Sample[];
}

/** Lines of the guest console kept in run.json when a case does not complete. */
const LOG_TAIL_LINES = 30;

/**
 * Runs every case of a suite, one guest boot at a time, and writes each repetition's
 * samples to disk as soon as it ends. Cases of a backend that cannot run here are
 * recorded as skipped with the backend's own reason.
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
  const runnable = o.cases.filter((c) => capabilities.get(c.backend)?.available);
  const total = runnable.reduce((n, c) => n + c.warmup + c.repetitions, 0);
  observe({ type: 'run-start', runId: run.id, dir: run.dir, cases: o.cases.length, repetitions: total });

  const samples: Sample[] = [];
  let index = 0;
  for (const [i, c] of o.cases.entries()) {
    const record = run.record.cases[i] as CaseRecord;
    const capability = capabilities.get(c.backend) as Capability;
    if (o.signal?.aborted) break;
    if (!capability.available) {
      await updateRun(run, () => {
        record.status = 'skipped';
        record.error = { message: `backend ${c.backend} cannot run here: ${capability.reason}` };
      });
      observe({ type: 'case-skipped', caseId: c.id, reason: capability.reason });
      continue;
    }
    const provenance: RunProvenance = { suite: o.suite.name, run: run.id, host: o.host.name, hostCpu: hostInfo.cpuModel, image: o.image.hash, backendFacts: capability.facts };
    const ran = await runCase(o, run, c, record, provenance, { next: () => ++index, total, observe });
    samples.push(...ran);
  }
  const status = o.signal?.aborted ? 'interrupted' : 'completed';
  await finishRun(run, status);
  observe({ type: 'run-end', status, wallMs: Date.now() - t0 });
  return { run, samples };
}

interface Counter {
  next: () => number;
  total: number;
  observe: RunObserver;
}

async function runCase(o: RunSuiteOptions, run: StoredRun, c: Case, record: CaseRecord, provenance: RunProvenance, counter: Counter): Promise<Sample[]> {
  const workload = o.workloads[c.workload] as Workload;
  const backend = o.backends(c.backend);
  const timeoutSec = caseTimeoutSec(workload.expectedSeconds(c.params), c.timeoutSec);
  const defs = [...workload.metrics, ...BOOT_METRICS, ...HOST_METRICS];
  const samples: Sample[] = [];
  await updateRun(run, () => {
    record.status = 'pending';
    record.host = o.host.name;
    record.startedAt = new Date().toISOString();
  });
  const plan = [...Array.from({ length: c.warmup }, (_, k) => ({ rep: k + 1, warmup: true })), ...Array.from({ length: c.repetitions }, (_, k) => ({ rep: k + 1, warmup: false }))];
  for (const { rep, warmup } of plan) {
    if (o.signal?.aborted) break;
    const index = counter.next();
    counter.observe({ type: 'rep-start', index, total: counter.total, caseId: c.id, backend: c.backend, workload: c.workload, rep, warmup });
    const name = `${c.workload}-${warmup ? 'w' : 'r'}${rep}`;
    const outcome = await runRepetition({ backend, host: o.host, image: o.image, workload, params: c.params, vcpus: c.guest.vcpus, memoryMiB: c.guest.memoryMiB, timeoutSec, name, ...(o.signal ? { signal: o.signal } : {}) });
    const repSamples = warmup ? [] : toSamples(outcome.values, defs, caseDims(c, rep, outcome.accel ?? 'unknown', outcome.guestKernel, provenance), outcome.startedAt);
    await appendSamples(run, repSamples);
    samples.push(...repSamples);
    const logFile = await writeGuestLog(run, c.id, warmup ? `w${rep}` : rep, renderLog(outcome));
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

function renderLog(outcome: RepOutcome): string {
  const vmm = outcome.vmmLog.trim();
  const steps = outcome.steps.flatMap((s) => [`--- step ${s.id}: exit ${s.exitCode}, ${s.elapsedMs} ms ---`, s.output.trimEnd()]);
  return [...outcome.guestLog, ...steps, ...(vmm ? ['--- VMM stderr ---', vmm] : [])].join('\n') + '\n';
}
