import { randomBytes } from 'node:crypto';
import type { Backend, RunningVm, VmExit, VmmUsage, VmSpec } from '../backends/backend.ts';
import type { GuestImage } from '../guest/image.ts';
import { checkCmdline, encodeJob } from '../guest/protocol/job.ts';
import { GuestSession } from '../guest/protocol/session.ts';
import type { Host } from '../hosts/host.ts';
import { describeError } from '../util/errors.ts';
import type { MetricValue, StepOutput, Workload } from '../workloads/workload.ts';

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
}

export interface RepetitionInput {
  backend: Backend;
  host: Host;
  image: GuestImage;
  workload: Workload;
  params: unknown;
  vcpus: number;
  memoryMiB: number;
  timeoutSec: number;
  name: string;
  /** Aborts the repetition (Ctrl-C): the VM is killed and the outcome says why. */
  signal?: AbortSignal;
  now?: () => number;
}

/** Boots one guest, runs the workload's job in it, and collects the values it reports. */
export async function runRepetition(input: RepetitionInput): Promise<RepOutcome> {
  const now = input.now ?? Date.now;
  const nonce = randomBytes(16).toString('hex');
  const command = input.workload.command(input.params);
  const cmdline = `quiet panic=-1 ${encodeJob({ nonce, workload: input.workload.name, command })}`;
  checkCmdline(cmdline);
  const spec: VmSpec = {
    name: input.name,
    vcpus: input.vcpus,
    memoryMiB: input.memoryMiB,
    kernel: input.image.kernel,
    initramfs: input.image.initramfs,
    cmdline,
    disks: [],
    nics: [],
    console: 'serial',
  };
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
    ...extra,
  });

  let vm: RunningVm;
  try {
    vm = await input.backend.launch(spec, input.host);
  } catch (e) {
    return outcome('failed', { error: `the VM did not start: ${describeError(e)}` });
  }
  vm.onConsole((chunk) => session.feed(chunk));

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void vm.kill(`timeout after ${input.timeoutSec} s`);
  }, input.timeoutSec * 1000);
  const onAbort = () => void vm.kill('interrupted');
  input.signal?.addEventListener('abort', onAbort, { once: true });
  let exit: VmExit;
  try {
    exit = await vm.wait();
  } finally {
    clearTimeout(timer);
    input.signal?.removeEventListener('abort', onAbort);
  }
  const usage = await vm.usage();
  await vm.kill('case finished');
  session.close();

  const common: Partial<RepOutcome> = { accel: vm.accel, guestKernel: session.kernel, usage, exit, vmmLog: vm.vmmLog() };
  const values = bootValues(session, t0);
  if (usage) {
    values.push({ metric: 'host.vmm_cpu_s', value: usage.cpuUserS + usage.cpuSystemS });
    values.push({ metric: 'host.vmm_peak_rss_mib', value: usage.peakRssKiB / 1024 });
  }
  let steps: StepOutput[] = [];
  let damaged: string | undefined;
  try {
    steps = session.stepOutputs();
  } catch (e) {
    damaged = describeError(e);
  }
  common.steps = steps;
  if (timedOut) {
    const where = session.readyAt === undefined ? 'the guest never said ready' : `the guest said ready but did not finish (${session.finishedSteps().length} steps done)`;
    return outcome('timed-out', { ...common, values, error: `timed out after ${input.timeoutSec} s: ${where}` });
  }
  if (input.signal?.aborted) return outcome('failed', { ...common, values, error: 'interrupted' });
  const problem = guestProblem(session, exit) ?? damaged;
  if (problem) return outcome('failed', { ...common, values, error: problem });
  try {
    values.push(...input.workload.parse(steps, input.params));
  } catch (e) {
    return outcome('failed', { ...common, values, error: describeError(e) });
  }
  return outcome('completed', { ...common, values });
}

function bootValues(session: GuestSession, t0: number): MetricValue[] {
  if (session.readyAt === undefined || session.uptimeAtReadyS === undefined) return [];
  return [
    { metric: 'boot.to_ready_ms', value: session.readyAt - t0 },
    { metric: 'boot.guest_uptime_at_ready_s', value: session.uptimeAtReadyS },
  ];
}

/** Why a guest that stopped by itself did not complete its job, or undefined if it did. */
function guestProblem(session: GuestSession, exit: VmExit): string | undefined {
  if (session.errors.length > 0) return `the guest reported: ${session.errors.join('; ')}`;
  if (session.done) return undefined;
  const said = session.readyAt === undefined ? 'before the agent said ready' : 'before the job was done';
  if (exit.kind === 'shutdown') return `the guest stopped ${said} (${exit.reason})`;
  if (exit.kind === 'exited') return `the VMM exited ${said} (exit code ${exit.exitCode}, signal ${exit.signal})`;
  return `the VM was killed ${said}: ${exit.reason}`;
}

