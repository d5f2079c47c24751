import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hvbench } from './cli.ts';

/** What the lab tests read of a run.json. */
export interface LabRunRecord {
  status: string;
  cases: { id: string; status: string; host?: string; error?: { message: string }; guestLogTail?: string[] }[];
}

/**
 * Failures that the nested Xen lab's CPU emulation causes in guests that run on it through
 * SVM (PVH and HVM; QEMU's emulated nested paging): a tool dies of a signal, the guest kernel
 * oopses and panics or the guest resets, a step's output is changed on its way out. hvbench
 * records each with its evidence; the tests tell them from hvbench's own failures by this
 * signature and by the guest type, never by the case alone.
 */
const NESTED_FAULT = /exited with status 1(?:29|3\d|4\d)\b|\(guest crashed \(kernel panic\)\)|\(guest rebooted\b|arrived damaged: /;

export function isNestedFault(c: LabRunRecord['cases'][number], guestTypes: readonly string[]): boolean {
  return c.status === 'failed' && guestTypes.some((t) => c.id.startsWith(`xen:${t}/`)) && NESTED_FAULT.test(c.error?.message ?? '');
}

/**
 * The lab's SSH channel of a case's VMM dropped while the lab itself went on answering (seen
 * once in the Xen lab, in a net case: dropbear closed xl's channel, later commands worked).
 * hvbench records it as the VMM's exit with status 255 and goes on; the lab, not the case.
 */
const LAB_SSH_LOST = /the VMM exited with status 255 before the job was done; the VMM said: hvbench: the ssh connection to host "lab-(xen|kvm)" was lost/;

export function isLabSshLoss(c: LabRunRecord['cases'][number]): boolean {
  return c.status === 'failed' && LAB_SSH_LOST.test(c.error?.message ?? '');
}

/**
 * A failure of the nested Xen lab's dom0 itself: xl could not unpack a guest kernel that it
 * unpacked for the case before (libxenguest's XZ decoder failing on the same file; seen
 * once, with two domains created at once and dom0's memory mostly free). Told by xl's own
 * words, never by the case alone.
 */
const DOM0_FAULT = /xc_dom_probe_bzimage_kernel unable to XZ decompress kernel: Invalid kernel/;

export function isDom0Fault(c: LabRunRecord['cases'][number]): boolean {
  return c.status === 'failed' && c.id.startsWith('xen:') && DOM0_FAULT.test(c.error?.message ?? '');
}

/**
 * Resumes a lab run (`hvbench run --resume`, the real CLI) while every case it has not
 * completed failed of a nested fault or a lost SSH channel of the lab, at most `maxResumes` times, printing each failure and
 * the guest's last log lines. Returns the final record and how many resumes it took.
 */
export async function resumeNestedFaults(
  runDir: string,
  options: {
    stateRoot: string;
    guestTypes: readonly string[];
    maxResumes: number;
    timeoutMs: number /** More `run` options (a resume does not remember --count-events). */;
    args?: readonly string[];
  },
): Promise<{ record: LabRunRecord; resumes: number }> {
  const read = async () => JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as LabRunRecord;
  let record = await read();
  let resumes = 0;
  for (; resumes < options.maxResumes; resumes++) {
    const open = record.cases.filter((c) => c.status !== 'completed');
    if (open.length === 0 || !open.every((c) => isNestedFault(c, options.guestTypes) || isLabSshLoss(c))) break;
    for (const c of open)
      process.stderr.write(`xen lab: ${c.id} failed (${c.error?.message}); guest log tail:\n${(c.guestLogTail ?? []).join('\n')}\nresuming the run\n`);
    const resumed = await hvbench(['run', '--resume', runDir, '--host', 'lab-xen', ...(options.args ?? [])], {
      env: { HVBENCH_LABS: options.stateRoot },
      timeoutMs: options.timeoutMs,
    });
    process.stderr.write(`hvbench run --resume on lab-xen: exit ${resumed.exitCode}\n${resumed.stdout}\n${resumed.stderr}\n`);
    record = await read();
  }
  return { record, resumes };
}
