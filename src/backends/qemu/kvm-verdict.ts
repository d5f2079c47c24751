import type { VmExit } from '../common/backend.ts';
import { checkKvmGuest } from './kvm-guest.ts';

/** Everything one canary boot showed, as plain data (classifyCanary() is pure). */
export interface CanaryObservation {
  /** The `-cpu` model the canary asked for. */
  cpu: string;
  elapsedMs: number;
  timeoutMs: number;
  /** The launch failed before the guest ran: the error's code and message (QEMU's last words included). */
  startError?: { code: string; message: string };
  /** QEMU's stderr. */
  vmmLog: string;
  /** Guest console lines that were not frames. */
  consoleLines: string[];
  exit?: VmExit;
  /** hvbench stopped the canary at its timeout. */
  timedOut: boolean;
  ready: boolean;
  done: boolean;
  guestErrors: string[];
  /** The guest's `fact` frames (hypervisor, clocksource). */
  facts: Record<string, string>;
  /** QEMU's run state and where the vCPU was when the timeout struck, when QMP answered. */
  stateAtTimeout?: string;
}

export const CANARY_VERDICT_KINDS = [
  'ok',
  'kvm-internal-error',
  'no-progress',
  'cpu-refused',
  'accel-mismatch',
  'wrong-hypervisor',
  'guest-failed',
  'vmm-failed',
  'interrupted',
] as const;
export type CanaryVerdictKind = (typeof CANARY_VERDICT_KINDS)[number];

export interface CanaryVerdict {
  kind: CanaryVerdictKind;
  /** One line: what happened, with QEMU's or the guest's own words. */
  detail: string;
  cpu: string;
  elapsedMs: number;
  /** cpu-refused: the MSR QEMU could not set, e.g. `0x10a`. */
  msr?: string;
  /** What the guest said about itself, when it got that far. */
  guest?: { hypervisor?: string; clocksource?: string };
}

/** QEMU's KVM code aborts when KVM refuses an MSR of the CPU model (e.g. `-cpu host` on a nested host). */
const MSR_REFUSED = /failed to set MSR (0x[0-9a-f]+)/i;
/** QEMU refusing the CPU model or one of its features outright. */
const CPU_MODEL_REFUSED =
  /unable to find CPU model|CPU model '[^']*' not found|can't apply global \S+-cpu\.|host doesn't support requested feature[^\n]*\n[^\n]*(?:fatal|exiting)/i;
const KVM_UNUSABLE = /Could not access KVM kernel module|failed to initialize kvm|failed to initialize KVM|kvm_init_vcpu failed/i;

/**
 * Classifies one canary boot from what QEMU and the guest said. Order matters: a KVM
 * internal error wins over everything (QEMU then keeps the guest paused and would look like
 * "no progress"); an MSR or CPU model QEMU refused comes next, whether QEMU died before or
 * just after its monitor came up.
 */
export function classifyCanary(o: CanaryObservation): CanaryVerdict {
  const verdict = (kind: CanaryVerdictKind, detail: string, extra: Partial<CanaryVerdict> = {}): CanaryVerdict => ({
    kind,
    detail,
    cpu: o.cpu,
    elapsedMs: o.elapsedMs,
    ...guestPart(o.facts),
    ...extra,
  });
  const qemuSaid = `${o.startError?.message ?? ''}\n${o.vmmLog}`;
  const after = `after ${seconds(o.elapsedMs)}`;

  if (/KVM internal error/i.test(qemuSaid) || (o.exit?.kind === 'shutdown' && o.exit.cause === 'internal-error')) {
    return verdict('kvm-internal-error', `QEMU stopped the guest on a KVM internal error ${after}${internalErrorDetail(qemuSaid)}`);
  }
  const msr = MSR_REFUSED.exec(qemuSaid)?.[1]?.toLowerCase();
  if (msr !== undefined) {
    return verdict('cpu-refused', `QEMU refused CPU model "${o.cpu}": KVM would not let it set MSR ${msr} (${howQemuEnded(o)})`, { msr });
  }
  const model = CPU_MODEL_REFUSED.exec(qemuSaid);
  if (model !== null) return verdict('cpu-refused', `QEMU refused CPU model "${o.cpu}": ${oneLine(model[0])}`);

  if (o.startError !== undefined) {
    if (o.startError.code === 'accel-mismatch') return verdict('accel-mismatch', oneLine(o.startError.message));
    const words = lastWords(qemuSaid);
    if (KVM_UNUSABLE.test(qemuSaid)) return verdict('vmm-failed', `QEMU could not use KVM: ${words}`);
    return verdict('vmm-failed', `QEMU did not start: ${words || oneLine(o.startError.message)}`);
  }

  if (o.done && o.guestErrors.length === 0) {
    const contradiction = checkKvmGuest(o.facts);
    if (contradiction !== undefined) return verdict('wrong-hypervisor', contradiction);
    return verdict('ok', `the canary guest booted to its agent and powered off in ${seconds(o.elapsedMs)}`);
  }
  if (o.guestErrors.length > 0) return verdict('guest-failed', `the canary guest's agent reported: ${o.guestErrors.join('; ')}`);

  if (o.timedOut) {
    const where = o.ready ? 'said ready but did not finish its job' : 'did not reach its agent';
    const console = o.consoleLines.length === 0 ? 'nothing on its console' : `last console line: "${oneLine(o.consoleLines.at(-1) ?? '')}"`;
    const state = o.stateAtTimeout ? `; ${o.stateAtTimeout}` : '';
    return verdict('no-progress', `the canary guest ${where} within ${seconds(o.timeoutMs)} (${console}${state})`);
  }
  const exit = o.exit;
  if (exit?.kind === 'killed') return verdict('interrupted', `the canary was stopped: ${exit.reason}`);
  if (exit?.kind === 'shutdown') {
    const last = o.consoleLines.at(-1);
    return verdict(
      'guest-failed',
      `the canary guest stopped ${after}, before its agent finished: ${exit.reason}${last ? ` (last console line: "${oneLine(last)}")` : ''}`,
    );
  }
  return verdict('vmm-failed', `QEMU exited ${after} (${howQemuEnded(o)})${lastWords(o.vmmLog) ? `: ${lastWords(o.vmmLog)}` : ''}`);
}

function guestPart(facts: Record<string, string>): Partial<CanaryVerdict> {
  const guest = {
    ...(facts['hypervisor'] === undefined ? {} : { hypervisor: facts['hypervisor'] }),
    ...(facts['clocksource'] === undefined ? {} : { clocksource: facts['clocksource'] }),
  };
  return Object.keys(guest).length > 0 ? { guest } : {};
}

/** ` (Suberror: 1, emulation failure, code at RIP: f0 48 0f c7 0e)` from QEMU's register dump. */
export function internalErrorDetail(text: string): string {
  const parts: string[] = [];
  const sub = /Suberror:\s*(\d+)/.exec(text)?.[1];
  if (sub !== undefined) parts.push(`Suberror: ${sub}`);
  if (/emulation failure/i.test(text)) parts.push('emulation failure');
  // RIP in long mode, EIP in real and protected mode.
  const ip = /\b([RE]IP)=([0-9a-f]+)/i.exec(text);
  if (ip) parts.push(`${ip[1]}=${ip[2]}`);
  // QEMU marks the byte at RIP as <xx> in its Code= line.
  const code = /Code=[^\n]*?<([0-9a-f]{2})>((?: [0-9a-f]{2}){0,5})/i.exec(text);
  if (code) parts.push(`code at ${ip?.[1] ?? 'RIP'}: ${code[1]}${code[2]}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function howQemuEnded(o: CanaryObservation): string {
  const said = `${o.startError?.message ?? ''}`;
  const code = /exit code (\d+)/.exec(said)?.[1];
  const signal = /killed by (SIG[A-Z]+)/.exec(said)?.[1];
  if (o.exit?.kind === 'exited') return o.exit.signal ? `QEMU killed by ${o.exit.signal}` : `exit code ${o.exit.exitCode}`;
  if (signal) return `QEMU killed by ${signal}${signal === 'SIGABRT' ? ', an assertion' : ''}`;
  if (code) return `exit code ${code}`;
  return 'QEMU gave up at start';
}

/** QEMU's last meaningful stderr line, without the program name. */
function lastWords(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/^qemu-system-[\w-]+:\s*/, '').trim())
    .filter((l) => l !== '' && !/^warning:/i.test(l) && !/^hvbench:/.test(l));
  return oneLine(lines.at(-1) ?? '');
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}…` : line;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
