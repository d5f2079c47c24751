import type { CaseDevices } from '../devices/case-devices.ts';
import { withRetryListener } from '../hosts/remote-retry.ts';
import { errorInfo, type CaseRecord, type SetupRetry } from '../results/run-record.ts';
import type { Sample } from '../results/sample.ts';
import { appendSamples } from '../results/samples-file.ts';
import type { StoredRun } from '../results/store.ts';
import { writeGuestLog } from '../results/guest-logs.ts';
import type { Case } from '../suite/types.ts';
import { BOOT_METRICS } from '../workloads/boot.ts';
import { GUEST_METRICS } from '../workloads/guest-metrics.ts';
import { HOST_METRICS } from '../workloads/host-metrics.ts';
import type { Workload } from '../workloads/workload.ts';
import { networkOf, scratchDirOf, type HostState } from './case-plan.ts';
import type { CaseRecorder } from './case-recorder.ts';
import { pinningOf } from './pinning-plan.ts';
import { setupCase, type CaseSetup } from './case-setup.ts';
import type { Scheduled } from './group.ts';
import { densityOf } from './density-member.ts';
import { runRepetition, type RepOutcome } from './repetition.ts';
import type { RunControl } from './run-control.ts';
import type { RunSuiteOptions } from './run-options.ts';
import { caseDims, toSamples, type RunProvenance } from './sample-dims.ts';
import { caseTimeoutSec } from './timeout.ts';
import { rejectOutOfRange } from './value-check.ts';
import { countedMetricDefs } from './step-work.ts';

/** A case on its host, as the scheduler runs it. */
export interface Member extends Scheduled {
  c: Case;
  record: CaseRecord;
  provenance: RunProvenance;
  devices: CaseDevices;
  caseIndex: number;
  /** The host the case runs on. */
  state: HostState;
  setup?: CaseSetup;
  /** Repetitions run again because their guest stopped by itself (`run --retry-crashed`), over the whole case. */
  crashRetries?: number;
}

/** What a member's steps share: the run, its options, the recorder and the run's control. */
export interface MemberContext {
  o: RunSuiteOptions;
  run: StoredRun;
  recorder: CaseRecorder;
  control: RunControl;
}

/** Prepares a member's devices and network; a failure fails the case, not the run. */
export async function openMember(x: MemberContext, m: Member): Promise<void> {
  await x.recorder.opening(m.record, m.state.run.config.name);
  await recordingRetries(x, m, 'setup', () => openDevices(x, m));
}

async function openDevices(x: MemberContext, m: Member): Promise<void> {
  const { o, run, recorder, control } = x;
  const workload = o.workloads[m.c.workload] as Workload;
  const { host } = m.state.run;
  try {
    const scratchDir = await scratchDirOf(m.state, run.dir);
    const network = networkOf(o.networks, o.backends(m.c.backend));
    m.setup = await setupCase({
      caseId: m.c.id,
      slug: `case-${m.caseIndex + 1}`,
      workload,
      devices: m.devices,
      image: o.image,
      host,
      scratchDir,
      ...(network ? { network } : {}),
    });
  } catch (e) {
    m.failed = true;
    if (o.failFast) control.stopFor({ code: 'fail-fast', message: `--fail-fast: case ${m.c.id} failed: ${errorInfo(e).message}` });
    await recorder.failed(m.record, e);
  }
}

/** One guest boot of a member: run, store its samples and log at once, record it. */
export async function repeatMember(x: MemberContext, m: Member, rep: number, warmup: boolean): Promise<Sample[]> {
  const { o, run, recorder, control } = x;
  const { c } = m;
  const setup = m.setup as CaseSetup;
  const workload = o.workloads[c.workload] as Workload;
  const density = densityOf(c, workload);
  const oneGuestSec = caseTimeoutSec(workload.expectedSeconds(c.params), c.timeoutSec);
  const timeoutSec = density ? density.timeoutSec(oneGuestSec) : oneGuestSec;
  const defs = [...workload.metrics, ...BOOT_METRICS, ...HOST_METRICS, ...GUEST_METRICS, ...(density?.defs() ?? [])];
  const { seq, index } = control.take();
  control.observe({ type: 'rep-start', index, total: control.total, caseId: c.id, backend: c.backend, workload: c.workload, rep, warmup });
  const name = `${c.workload}-${warmup ? 'w' : 'r'}${rep}`;
  const pinning = pinningOf(o, c.guest.vcpus, m.state);
  const during = `${warmup ? 'warm-up' : 'repetition'} ${rep}`;
  const attempt = async () =>
    rejectOutOfRange(
      await recordingRetries(x, m, during, () =>
        (density?.run ?? runRepetition)({
          backend: o.backends(c.backend),
          host: setup.host,
          image: o.image,
          workload,
          params: c.params,
          ...(c.variant ? { variant: c.variant.value } : {}),
          vcpus: c.guest.vcpus,
          memoryMiB: c.guest.memoryMiB,
          ...(pinning ? { pinning } : {}),
          timeoutSec,
          name,
          setup,
          ...(o.countEvents ? { countEvents: o.countEvents } : {}),
          ...(o.signal ? { signal: o.signal } : {}),
        }),
      ),
    );
  let outcome = await attempt();
  const allowed = o.retryCrashed ?? 0;
  while (outcome.crashed && (m.crashRetries ?? 0) < allowed && !control.interrupted) {
    m.crashRetries = (m.crashRetries ?? 0) + 1;
    const logFile = await writeGuestLog(run, c.id, `${warmup ? 'w' : ''}${rep}.lost${m.crashRetries}`, renderLog(outcome, setup.extraLog()));
    const values = Object.fromEntries(outcome.values.map((v) => [v.metric, v.value]));
    await recorder.lostAttempt(m.record, { at: new Date().toISOString(), during, error: outcome.error ?? 'stopped', logFile, values });
    control.observe({ type: 'rep-retry', caseId: c.id, rep, warmup, error: outcome.error ?? 'stopped', attempt: m.crashRetries, of: allowed });
    outcome = await attempt();
  }
  const dims = { ...caseDims(c, rep, outcome.accel ?? 'unknown', outcome.guestKernel, m.provenance), seq, ...setup.dims, ...outcome.dims };
  const repSamples = warmup ? [] : toSamples(outcome.values, [...defs, ...countedMetricDefs(outcome.values, workload, c.params)], dims, outcome.startedAt);
  // A density case: each guest's own samples, with its index, beside the aggregates.
  const guestDims = (g: RepOutcome) => ({ ...caseDims(c, rep, g.accel ?? 'unknown', g.guestKernel, m.provenance), seq, ...setup.dims, ...g.dims });
  if (density && !warmup) repSamples.push(...density.guestSamples((values) => [...defs, ...countedMetricDefs(values, workload, c.params)], guestDims));
  await appendSamples(run, repSamples);
  const logFile = await writeGuestLog(run, c.id, warmup ? `w${rep}` : rep, renderLog(outcome, setup.extraLog()));
  await recorder.repetition(m.record, outcome, { rep, warmup, logFile, seq });
  control.observe({
    type: 'rep-end',
    index,
    total: control.total,
    caseId: c.id,
    rep,
    warmup,
    status: outcome.status,
    wallMs: outcome.wallMs,
    ...(outcome.error ? { error: outcome.error } : {}),
  });
  if (outcome.status !== 'completed') {
    m.failed = true;
    if (o.failFast && !control.interrupted)
      control.stopFor({
        code: 'fail-fast',
        message: `--fail-fast: case ${c.id} ${outcome.status === 'timed-out' ? 'timed out' : 'failed'} (${warmup ? 'warm-up' : 'repetition'} ${rep})`,
      });
  } else if (!warmup) {
    const v = density ? { value: density.stopValue(stopMetricOf(o, c)) } : outcome.values.find((x) => x.metric === stopMetricOf(o, c));
    m.stopValues.push(v ? v.value : Number.NaN);
  }
  return repSamples;
}

/**
 * Runs a member's step and records in its case the setup commands that ssh lost and that were
 * run again meanwhile (remote-retry.ts), tagged with the step: `setup`, `warm-up 1`, `repetition 2`.
 */
async function recordingRetries<T>(x: MemberContext, m: Member, during: string, work: () => Promise<T>): Promise<T> {
  const retries: SetupRetry[] = [];
  try {
    return await withRetryListener((r) => retries.push({ ...r, during }), work);
  } finally {
    await x.recorder.retried(m.record, retries);
  }
}

/** The metric that drives the stopping rule of a case. */
export function stopMetricOf(o: Pick<RunSuiteOptions, 'suite' | 'workloads'>, c: Case): string {
  return o.suite.stopMetric ?? (o.workloads[c.workload] as Workload | undefined)?.metrics[0]?.name ?? 'boot.to_ready_ms';
}

function renderLog(outcome: RepOutcome, extra: string): string {
  const vmm = outcome.vmmLog.trim();
  const peers = extra.trim();
  const steps = outcome.steps.flatMap((s) => [`--- step ${s.id}: exit ${s.exitCode}, ${s.elapsedMs} ms ---`, s.output.trimEnd()]);
  const events = outcome.eventProblem ? ['--- event counting ---', `nothing counted: ${outcome.eventProblem}`] : [];
  return `${[...outcome.guestLog, ...steps, ...(vmm ? ['--- VMM stderr ---', vmm] : []), ...(peers ? ['--- network peers ---', peers] : []), ...events].join('\n')}\n`;
}
