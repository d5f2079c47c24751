import type { VmExit } from '../backends/common/backend.ts';
import { internalErrorDetail } from '../backends/qemu/kvm-verdict.ts';

/**
 * Why a guest that stopped by itself did not complete its job, in words a person can act
 * on: what the VMM reported (exit, shutdown cause), what the guest kernel said when it
 * panicked, and what the VMM printed about it (e.g. QEMU's `KVM internal error. Suberror:
 * 1` … `emulation failure`). The guest log is untrusted text; it only ever describes a
 * failure here, it never makes a repetition count as done.
 */
export function stopCause(exit: VmExit, when: string, guestLog: readonly string[], vmmLog: string): string {
  const parts = [exitWords(exit, when)];
  const panic = kernelPanic(guestLog);
  if (panic !== undefined) parts.push(`the guest kernel panicked: ${panic}`);
  const vmm = vmmSummary(vmmLog);
  if (vmm !== undefined) parts.push(`the VMM said: ${vmm}`);
  return parts.join('; ');
}

function exitWords(exit: VmExit, when: string): string {
  if (exit.kind === 'shutdown') return `the guest stopped ${when} (${exit.reason})`;
  if (exit.kind === 'killed') return `the VM was killed ${when}: ${exit.reason}`;
  if (exit.signal !== null) return `the VMM was killed by ${exit.signal} ${when}`;
  return `the VMM exited with status ${exit.exitCode ?? 'unknown'} ${when}`;
}

const PANIC = /Kernel panic - not syncing: ?(.*)$/;
/** The longest panic message kept (a forged or garbled line must not flood the record). */
const MAX_PANIC_CHARS = 200;

/** The message of the first `Kernel panic - not syncing:` line of the guest log, if any. */
export function kernelPanic(guestLog: readonly string[]): string | undefined {
  for (const line of guestLog) {
    const m = PANIC.exec(line);
    if (m) return (m[1] ?? '').trim().slice(0, MAX_PANIC_CHARS) || '(no message)';
  }
  return undefined;
}

/**
 * The guest kernel's own report of a process it killed: `fio[312]: segfault at … in
 * libc.so.6`, `traps: … general protection`, `invalid opcode`, the OOM killer. The agent
 * prints the last kernel messages when a step fails, so a step that died of a signal
 * (status 128 + N) can be told apart from one that gave up.
 */
const PROCESS_FAULT = /\b(?:segfault at|general protection|invalid opcode|trap divide error|Out of memory: Killed process|oom-kill:)/;
const MAX_FAULT_CHARS = 240;

/** The last line of the guest log in which the kernel reports killing a process, if any. */
export function processFault(guestLog: readonly string[]): string | undefined {
  for (let i = guestLog.length - 1; i >= 0; i--) {
    const line = guestLog[i] as string;
    if (PROCESS_FAULT.test(line))
      return line
        .replace(/^\[\s*[\d.]+\]\s*/, '')
        .trim()
        .slice(0, MAX_FAULT_CHARS);
  }
  return undefined;
}

/** Lines of VMM stderr that say what went wrong; warnings and register dumps left out. */
const TELLING =
  /KVM internal error|connection .* was lost|emulation failure|Suberror|terminating on signal|[Aa]ssertion|[Ee]rror|[Ff]ailed|[Cc]annot|[Cc]ould not|[Aa]borted/;
const NOISE = /^\S+: warning:|^(?:[A-Z]{2,3}=|extra data\[|Code=)/;

/** Up to three telling lines of the VMM's stderr, joined; undefined when it said nothing useful. */
export function vmmSummary(vmmLog: string): string | undefined {
  if (/KVM internal error/.test(vmmLog)) return `KVM internal error${internalErrorDetail(vmmLog)}`;
  const lines = vmmLog
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && TELLING.test(l) && !NOISE.test(l));
  if (lines.length === 0) return undefined;
  return lines.slice(0, 3).join(' / ').slice(0, 400);
}
