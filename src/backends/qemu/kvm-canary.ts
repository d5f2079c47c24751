import { randomBytes } from 'node:crypto';
import type { GuestImage } from '../../guest/image.ts';
import { checkCmdline, encodeJob } from '../../guest/protocol/job.ts';
import { GuestSession } from '../../guest/protocol/session.ts';
import type { Host } from '../../hosts/host.ts';
import { isHvbError } from '../../util/errors.ts';
import type { VmExit, VmSpec } from '../common/backend.ts';
import type { CanaryObservation } from './kvm-verdict.ts';
import { launchQemuVm, type QemuVm } from './vm.ts';

/** Long enough for a real KVM (about 1 s) and a nested one under TCG (about 10 s), with room for a busy host. */
export const CANARY_TIMEOUT_MS = 60_000;
/** The canary's guest: small, one vCPU (a smaller guest than any case boots, the same kernel and initramfs). */
const CANARY_MEMORY_MIB = 256;
const QMP_QUESTION_TIMEOUT_MS = 3_000;

export interface CanaryOptions {
  image: GuestImage;
  cpu: string;
  machine?: string;
  binary?: string;
  timeoutMs?: number;
}

/**
 * Boots the real guest image with the `boot` job (no steps: boot to the agent, report the
 * guest's facts, power off) under `-accel kvm`, and records what happened. The QEMU is
 * killed on every path: after a KVM internal error it would otherwise stay alive, paused,
 * for ever.
 */
export async function runCanary(host: Host, options: CanaryOptions): Promise<CanaryObservation> {
  const timeoutMs = options.timeoutMs ?? CANARY_TIMEOUT_MS;
  const nonce = randomBytes(16).toString('hex');
  const cmdline = `quiet panic=-1 ${encodeJob({ nonce, workload: 'boot', command: { steps: [] } })}`;
  checkCmdline(cmdline);
  const spec: VmSpec = {
    name: 'kvm-canary',
    vcpus: 1,
    memoryMiB: CANARY_MEMORY_MIB,
    kernel: options.image.kernel,
    initramfs: options.image.initramfs,
    cmdline,
    disks: [],
    nics: [],
    console: 'serial',
  };
  const session = new GuestSession(nonce);
  const t0 = Date.now();
  const observed = (extra: Partial<CanaryObservation>): CanaryObservation => ({
    cpu: options.cpu,
    elapsedMs: Date.now() - t0,
    timeoutMs,
    vmmLog: '',
    consoleLines: session.log,
    timedOut: false,
    ready: session.readyAt !== undefined,
    done: session.done,
    guestErrors: session.errors,
    facts: session.facts,
    ...extra,
  });

  let vm: QemuVm;
  try {
    vm = await launchQemuVm(host, spec, {
      accel: 'kvm',
      cpu: options.cpu,
      ...(options.machine === undefined ? {} : { machine: options.machine }),
      ...(options.binary === undefined ? {} : { binary: options.binary }),
    });
  } catch (error) {
    const code = isHvbError(error) ? error.code : 'error';
    return observed({ startError: { code, message: error instanceof Error ? error.message : String(error) } });
  }

  let timer: NodeJS.Timeout | undefined;
  try {
    vm.onConsole((chunk) => session.feed(chunk));
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs - (Date.now() - t0)));
    });
    const first = await Promise.race([vm.wait(), timeout]);
    let stateAtTimeout: string | undefined;
    let exit: VmExit;
    if (first === 'timeout') {
      const elapsedMs = Date.now() - t0;
      stateAtTimeout = await describeVcpu(vm);
      await vm.kill(`canary timeout after ${timeoutMs} ms`);
      exit = await vm.wait();
      session.close();
      return observed({ elapsedMs, timedOut: true, exit, vmmLog: vm.vmmLog(), ...(stateAtTimeout ? { stateAtTimeout } : {}) });
    }
    exit = first;
    const elapsedMs = Date.now() - t0;
    await vm.kill('canary finished');
    session.close();
    return observed({ elapsedMs, exit, vmmLog: vm.vmmLog() });
  } finally {
    clearTimeout(timer);
    // Every path ends here with QEMU gone: kill() is idempotent and waits for the process.
    await vm.kill('canary ended');
  }
}

/** `QEMU status running, vCPU at RIP=… (CPL 0)`: is the guest paused, and where is it? */
async function describeVcpu(vm: QemuVm): Promise<string | undefined> {
  const qmp = vm.qmpClient;
  if (qmp === undefined) return undefined;
  const status = await qmp
    .execute<{ status?: string }>('query-status', undefined, { timeoutMs: QMP_QUESTION_TIMEOUT_MS })
    .then((s) => s.status)
    .catch(() => undefined);
  const registers = await qmp
    .execute<string>('human-monitor-command', { 'command-line': 'info registers' }, { timeoutMs: QMP_QUESTION_TIMEOUT_MS })
    .catch(() => '');
  const rip = /\bRIP=([0-9a-f]+)/i.exec(registers)?.[1];
  const cpl = /\bCPL=(\d)/.exec(registers)?.[1];
  const parts = [...(status ? [`QEMU status ${status}`] : []), ...(rip ? [`vCPU at RIP=${rip}${cpl === undefined ? '' : ` (CPL ${cpl})`}`] : [])];
  return parts.length > 0 ? parts.join(', ') : undefined;
}
