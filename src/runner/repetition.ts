import { randomBytes } from 'node:crypto';
import type { Backend, EventSourceChoice, RunningVm, VmExit, VmmUsage, VmSpec } from '../backends/common/backend.ts';
import type { GuestImage } from '../guest/image.ts';
import { checkCmdline, encodeJob } from '../guest/protocol/job.ts';
import { GuestSession } from '../guest/protocol/session.ts';
import type { Host } from '../hosts/host.ts';
import type { Dims } from '../results/sample.ts';
import { describeError } from '../util/errors.ts';
import type { MetricValue, StepOutput, Workload } from '../workloads/workload.ts';
import type { CaseSetup } from './case-setup.ts';
import { checkVmSpecPaths } from './absolute-paths.ts';
import { boundDeviceDims } from './device-facts.ts';
import { clockDrift } from './clock-drift.ts';
import { EventWindows } from './event-windows.ts';
import { stepWorkValues } from './step-work.ts';
import type { StartBarrier } from './density-barrier.ts';
import { ALIVE_EVERY_S, watchHeartbeat } from './hang-watch.ts';
import { manifestFields } from './manifest.ts';
import { pinningDim, type CpuPinning } from './pinning-plan.ts';
import { processFault, stopCause } from './stop-cause.ts';

export type RepStatus = 'completed' | 'failed' | 'timed-out';

/** What one boot of one guest produced. Failed repetitions keep everything they measured. */
export interface RepOutcome {
  status: RepStatus;
  error?: string;
  accel?: string;
  guestKernel?: string;
  values: MetricValue[];
  usage?: VmmUsage;
  exit?: VmExit;
  startedAt: string;
  wallMs: number;
  guestLog: string[];
  vmmLog: string;
  /** The raw output of every step that finished, kept so values can be checked or parsed again. */
  steps: StepOutput[];
  /** What the guest reported about itself (`fact` frames), e.g. its disk and the drivers bound to it. */
  facts: Record<string, string>;
  /** Dimensions from this boot: the drivers that bound the case's devices (`disk_driver`, `nic_driver`). */
  dims: Dims;
  /**
   * The guest or its VMM stopped by itself before the job was done (a reset, a panic, the VMM
   * exiting), or the guest hung (before it said ready, or fell silent past its heartbeat), as
   * opposed to a step that failed, a timeout during the job or an interruption: the failures
   * `run --retry-crashed` runs again.
   */
  crashed?: true;
  /** With `countEvents`: why no step's events were counted (the backend cannot, or the reads failed). */
  eventProblem?: string;
  /** What this boot read back for the case's equivalence manifest (manifest.ts), once the guest said ready. */
  manifest?: Record<string, string>;
}

export interface RepetitionInput {
  backend: Backend;
  host: Host;
  image: GuestImage;
  workload: Workload;
  params: unknown;
  /** The value of the backend's variant axis (Xen's guest type, QEMU's machine type), when the case has one. */
  variant?: string;
  vcpus: number;
  memoryMiB: number;
  /** The host CPUs of the vCPUs and the VMM (pinning-plan.ts); absent: not pinned. */
  pinning?: CpuPinning;
  timeoutSec: number;
  name: string;
  /** What setupCase made for the case: initrd, devices, modules, the workload's context. Default: base initramfs, no devices. */
  setup?: Pick<CaseSetup, 'initrd' | 'disks' | 'nics' | 'probe' | 'modules' | 'context'> & Partial<Pick<CaseSetup, 'shares'>>;
  /** Count the VM's events around each step (`run --count-events [source]`; event-windows.ts); a source name: the one asked for. */
  countEvents?: boolean | EventSourceChoice;
  /** Seconds between the guest's `alive` frames (hang-watch.ts); default ALIVE_EVERY_S. */
  aliveEveryS?: number;
  /** A density case's start barrier (density-barrier.ts): the job waits for `go` after its probes. */
  barrier?: StartBarrier;
  /**
   * A density case's guests start their VMMs one after another (density.ts): `wait` resolves
   * when this guest's turn comes, `done` hands the turn on once its launch returned.
   */
  launchTurn?: { wait(): Promise<void>; done(): void };
  /** Aborts the repetition (Ctrl-C): the VM is killed and the outcome says why. */
  signal?: AbortSignal;
  now?: () => number;
}

/** Boots one guest, runs the workload's job in it, and collects the values it reports. */
export async function runRepetition(input: RepetitionInput): Promise<RepOutcome> {
  const now = input.now ?? Date.now;
  const nonce = randomBytes(16).toString('hex');
  const setup = input.setup;
  const session = new GuestSession(nonce, now);
  const startedAt = new Date(now()).toISOString();
  const t0 = now();
  const outcome = (status: RepStatus, extra: Partial<RepOutcome>): RepOutcome => ({
    status,
    values: [],
    startedAt,
    wallMs: now() - t0,
    guestLog: session.log,
    vmmLog: '',
    steps: [],
    facts: session.facts,
    dims: {},
    ...extra,
  });
  let spec: VmSpec;
  try {
    const own = input.workload.command(input.params, setup?.context ?? {});
    const modules = [...new Set([...(setup?.modules ?? []), ...(own.modules ?? [])])];
    const command = { ...own, ...(modules.length > 0 ? { modules } : {}) };
    const job = {
      nonce,
      workload: input.workload.name,
      command,
      aliveEveryS: input.aliveEveryS ?? ALIVE_EVERY_S,
      ...(input.countEvents ? { count: true } : {}),
      ...(setup?.probe.length ? { probe: setup.probe } : {}),
      ...(input.barrier ? { barrier: true } : {}),
      // A counted guest waits after `done` until the last step's reads have returned: its
      // VM (a Xen domain, QEMU's debugfs folder) goes when it powers off (event-windows.ts).
      ...(input.countEvents && input.backend.startBarrier === true ? { hold: true } : {}),
    };
    const cmdline = `quiet panic=-1 ${encodeJob(job)}`;
    checkCmdline(cmdline);
    spec = {
      name: input.name,
      vcpus: input.vcpus,
      memoryMiB: input.memoryMiB,
      kernel: input.image.kernel,
      initramfs: setup?.initrd.path ?? input.image.initramfs,
      cmdline,
      disks: setup?.disks ?? [],
      nics: setup?.nics ?? [],
      ...(setup?.shares?.length ? { shares: setup.shares } : {}),
      ...(input.variant === undefined ? {} : { variant: input.variant }),
      ...(input.pinning === undefined ? {} : { pinning: input.pinning }),
      ...(input.countEvents ? { countEvents: typeof input.countEvents === 'string' ? { source: input.countEvents } : {} } : {}),
      console: 'serial',
    };
    checkVmSpecPaths(spec);
  } catch (e) {
    return outcome('failed', { error: `the guest job could not be made: ${describeError(e)}` });
  }

  let vm: RunningVm;
  try {
    await input.launchTurn?.wait();
    if (input.signal?.aborted) return outcome('failed', { error: 'interrupted' });
    vm = await input.backend.launch(spec, input.host);
  } catch (e) {
    return outcome('failed', { error: `the VM did not start: ${describeError(e)}` });
  } finally {
    input.launchTurn?.done();
  }
  vm.onConsole((chunk) => session.feed(chunk));
  // The VMM's CPU time when the guest is up: the job's own cost is what it spends after that.
  let atReady: Promise<VmmUsage | undefined> | undefined;
  // What the VMM says it gave the guest, read while it runs (QMP closes with the VM): once the
  // guest's driver has taken the disk (its fact frame), as a virtio disk's write cache is what
  // the driver negotiated; at ready when no disk is probed.
  let readBack: Promise<Record<string, string> | undefined> | undefined;
  const probesDisk = setup?.probe.includes('disk') === true;
  // Counted around the measured steps alone when the workload names them (event-windows.ts).
  const stepWork = input.countEvents ? (input.workload.stepWork?.(input.params) ?? []) : [];
  const windows = input.countEvents ? new EventWindows(vm, now, stepWork.length > 0 ? new Set(stepWork.map((w) => w.step)) : undefined) : undefined;
  const releaseHold = async () => {
    await windows?.settled();
    try {
      if (!vm.release) throw new Error('the VM takes no go line');
      await vm.release(nonce);
    } catch (e) {
      await vm.kill(`could not end the guest's hold after its last step: ${describeError(e)}`);
    }
  };
  session.onFrame((frame) => {
    windows?.onFrame(frame);
    if (frame.kind === 'ready' && !atReady) atReady = vm.usage().catch(() => undefined);
    if (frame.kind === 'fact' && frame.facts['barrier'] === 'waiting') input.barrier?.arrive(vm, nonce);
    if (frame.kind === 'fact' && frame.facts['hold'] === 'waiting') void releaseHold();
    const now = probesDisk ? frame.kind === 'fact' && frame.facts['disk'] !== undefined : frame.kind === 'ready';
    if (now && !readBack) readBack = vm.readBack?.().catch(() => undefined);
  });

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void vm.kill(`timeout after ${input.timeoutSec} s`);
  }, input.timeoutSec * 1000);
  // A guest that promised a heartbeat and fell silent has hung: stopped now, not at the timeout.
  let hung: string | undefined;
  const stopWatch = watchHeartbeat(
    session,
    (silentS) => {
      const steps = session.finishedSteps().length;
      hung = `the guest hung: nothing from it for ${silentS} s, though it sends a frame every ${session.aliveEveryS} s (${steps} steps done)`;
      void vm.kill('the guest stopped answering');
    },
    now,
  );
  const onAbort = () => void vm.kill('interrupted');
  input.signal?.addEventListener('abort', onAbort, { once: true });
  // Aborted while the VM started (a density case's other guest failed meanwhile): stop it now.
  if (input.signal?.aborted) onAbort();
  let exit: VmExit;
  try {
    exit = await vm.wait();
  } finally {
    clearTimeout(timer);
    stopWatch();
    input.signal?.removeEventListener('abort', onAbort);
  }
  const usage = await vm.usage();
  await vm.kill('case finished');
  session.close();

  // What the launch decided (e.g. vhost_net) and what the guest says it runs on, also for failed repetitions.
  const counted = await windows?.result();
  const launchDims = {
    ...(input.pinning ? { pinning: pinningDim(input.pinning) } : {}),
    ...(counted ? { event_source: counted.source ?? 'none' } : {}),
    ...vm.dims,
    ...guestViewDims(session.facts),
  };
  const common: Partial<RepOutcome> = {
    accel: vm.accel,
    guestKernel: session.kernel,
    usage,
    exit,
    vmmLog: vm.vmmLog(),
    dims: launchDims,
    ...(counted?.problem ? { eventProblem: counted.problem } : {}),
  };
  if (session.readyAt !== undefined) {
    const vmm = await readBack;
    common.manifest = manifestFields({
      facts: session.facts,
      image: input.image.hash,
      ...(session.kernel ? { kernel: session.kernel } : {}),
      ...(vmm ? { vmm } : {}),
    });
  }
  const values = [...bootValues(session, t0), ...clockDrift(session), ...(counted?.values ?? [])];
  const ready = await atReady;
  const jobCpuS = usage && ready ? usage.cpuUserS + usage.cpuSystemS - (ready.cpuUserS + ready.cpuSystemS) : undefined;
  if (usage) {
    values.push({ metric: 'host.vmm_cpu_s', value: usage.cpuUserS + usage.cpuSystemS });
    values.push({ metric: 'host.vmm_peak_rss_mib', value: usage.peakRssKiB / 1024 });
  }
  if (jobCpuS !== undefined && session.done) values.push({ metric: 'host.vmm_job_cpu_s', value: jobCpuS });
  let steps: StepOutput[] = [];
  let damaged: string | undefined;
  try {
    steps = session.stepOutputs();
  } catch (e) {
    damaged = describeError(e);
  }
  common.steps = steps;
  if (hung !== undefined && !timedOut && !input.signal?.aborted) return outcome('failed', { ...common, values, error: hung, crashed: true });
  if (timedOut) {
    const where =
      session.readyAt === undefined ? 'the guest never said ready' : `the guest said ready but did not finish (${session.finishedSteps().length} steps done)`;
    // A guest that never said ready hung before its job began: the platform's fault, not the job's.
    return outcome('timed-out', {
      ...common,
      values,
      error: `timed out after ${input.timeoutSec} s: ${where}`,
      ...(session.readyAt === undefined ? { crashed: true as const } : {}),
    });
  }
  if (input.signal?.aborted) return outcome('failed', { ...common, values, error: 'interrupted' });
  const crash = session.errors.length === 0 && !session.done ? stopCause(exit, stopWhen(session), session.log, vm.vmmLog()) : undefined;
  if (crash) return outcome('failed', { ...common, values, error: crash, crashed: true });
  const problem = guestProblem(session) ?? damaged;
  if (problem) return outcome('failed', { ...common, values, error: problem });
  const contradiction = input.backend.checkGuest?.(session.facts);
  if (contradiction) return outcome('failed', { ...common, values, error: `the guest contradicts the ${input.backend.name} backend: ${contradiction}` });
  try {
    // What the job itself saw of its devices (e.g. the NIC queues in use), then its values.
    const observed = input.workload.observedDims?.(steps, input.params);
    common.dims = { ...launchDims, ...boundDeviceDims(setup?.disks ?? [], setup?.nics ?? [], setup?.probe ?? [], session.facts), ...observed };
    values.push(...input.workload.parse(steps, input.params));
    // Each counted step's throughput beside its counts, and the counts per operation.
    if (counted) values.push(...stepWorkValues(values, stepWork));
    if (jobCpuS !== undefined && input.workload.hostCost) values.push(...input.workload.hostCost(steps, { vmmCpuS: jobCpuS }, input.params));
  } catch (e) {
    return outcome('failed', { ...common, values, error: describeError(e) });
  }
  return outcome('completed', { ...common, values });
}

/** The guest's own view of its platform (`hypervisor`, `clocksource` facts of the agent) as dimensions. */
function guestViewDims(facts: Readonly<Record<string, string>>): Dims {
  const dims: Dims = {};
  if (facts['hypervisor'] !== undefined) dims.guest_hypervisor = facts['hypervisor'];
  if (facts['clocksource'] !== undefined) dims.guest_clocksource = facts['clocksource'];
  return dims;
}

function bootValues(session: GuestSession, t0: number): MetricValue[] {
  if (session.readyAt === undefined || session.uptimeAtReadyS === undefined) return [];
  return [
    { metric: 'boot.to_ready_ms', value: session.readyAt - t0 },
    { metric: 'boot.guest_uptime_at_ready_s', value: session.uptimeAtReadyS },
  ];
}

/** What the guest reported as failing (a step's error frames), with the kernel's word on a killed process. */
function guestProblem(session: GuestSession): string | undefined {
  if (session.errors.length === 0) return undefined;
  const fault = processFault(session.log);
  return `the guest reported: ${session.errors.join('; ')}${fault === undefined ? '' : `; the guest kernel said: ${fault}`}`;
}

function stopWhen(session: GuestSession): string {
  return session.readyAt === undefined ? 'before the agent said ready' : 'before the job was done';
}
