import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hvbench } from './cli.ts';

/** What the lab tests read of a run.json. */
export interface LabRunRecord {
  status: string;
  cases: { id: string; status: string; host?: string; error?: { message: string }; guestLogTail?: string[]; logs?: string[] }[];
}

type LabCase = LabRunRecord['cases'][number];

/**
 * Failures that the nested Xen lab's CPU emulation causes in guests that run on it through
 * SVM (PVH and HVM; QEMU's emulated nested paging): a tool dies of a signal, the guest kernel
 * oopses and panics or the guest resets, a step's output is changed on its way out. hvbench
 * records each with its evidence; the tests tell them from hvbench's own failures by this
 * signature and by the guest type, never by the case alone.
 */
const NESTED_FAULT = /exited with status 1(?:29|3\d|4\d)\b|\(guest crashed \(kernel panic\)\)|\(guest rebooted\b|arrived damaged: /;

export function isNestedFault(c: LabCase, guestTypes: readonly string[]): boolean {
  return c.status === 'failed' && guestTypes.some((t) => c.id.startsWith(`xen:${t}/`)) && NESTED_FAULT.test(c.error?.message ?? '');
}

/**
 * The lab's SSH channel of a case's VMM dropped while the lab itself went on answering (seen
 * once in the Xen lab, in a net case: dropbear closed xl's channel, later commands worked).
 * hvbench records it as the VMM's exit with status 255 and goes on; the lab, not the case.
 */
const LAB_SSH_LOST = /the VMM exited with status 255 before the job was done; the VMM said: hvbench: the ssh connection to host "lab-(xen|kvm)" was lost/;

export function isLabSshLoss(c: LabCase): boolean {
  return c.status === 'failed' && LAB_SSH_LOST.test(c.error?.message ?? '');
}

/**
 * A failure of the nested Xen lab's dom0 itself: xl could not unpack a guest kernel that it
 * unpacked for the case before (libxenguest's XZ decoder failing on the same file; seen
 * once, with two domains created at once and dom0's memory mostly free). Told by xl's own
 * words, never by the case alone.
 */
const DOM0_FAULT = /xc_dom_probe_bzimage_kernel unable to XZ decompress kernel: Invalid kernel/;

export function isDom0Fault(c: LabCase): boolean {
  return c.status === 'failed' && c.id.startsWith('xen:') && DOM0_FAULT.test(c.error?.message ?? '');
}

/**
 * Whether a run whose open (not completed) cases are `open` is resumed: each failed of a
 * known nested fault or a lost SSH channel of the lab, or, while `unexplainedLeft` > 0, at
 * most one case failed of something else (a nested emulation that corrupts guest memory now
 * and then can break any tool in a way no signature names; seen: a PV guest's iperf3 told
 * "control socket has closed unexpectedly" once in CI, never in 15 repetitions by hand). A
 * failure that comes again, or two unexplained at once, is hvbench's and fails the test.
 */
export function resumeDecision(
  open: readonly LabCase[],
  guestTypes: readonly string[],
  unexplainedLeft: number,
): { resume: boolean; unexplained: LabCase | undefined } {
  const unexplained = open.filter((c) => !isNestedFault(c, guestTypes) && !isLabSshLoss(c));
  if (open.length === 0 || unexplained.length > 1 || (unexplained.length === 1 && unexplainedLeft <= 0)) return { resume: false, unexplained: undefined };
  return { resume: true, unexplained: unexplained[0] };
}

/** The network peers' part of a case's last repetition log (what the peer servers said), or ''. */
async function peersSaid(runDir: string, c: LabCase): Promise<string> {
  const last = c.logs?.at(-1);
  if (!last) return '';
  const log = await readFile(join(runDir, last), 'utf8').catch(() => '');
  const at = log.indexOf('--- network peers ---');
  return at < 0 ? '' : log.slice(at, at + 4000);
}

/**
 * Resumes a lab run (`hvbench run --resume`, the real CLI) while its open cases are resumable
 * (resumeDecision), at most `maxResumes` times, printing each failure, the guest's last log
 * lines and what the network peers said. `unexplainedResumes` (default 0) is how many of
 * those resumes may be for a failure no signature names. Returns the final record and how
 * many resumes it took.
 */
export async function resumeNestedFaults(
  runDir: string,
  options: {
    stateRoot: string;
    guestTypes: readonly string[];
    maxResumes: number;
    timeoutMs: number;
    unexplainedResumes?: number;
  },
): Promise<{ record: LabRunRecord; resumes: number }> {
  const read = async () => JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as LabRunRecord;
  let record = await read();
  let resumes = 0;
  let unexplainedLeft = options.unexplainedResumes ?? 0;
  for (; resumes < options.maxResumes; resumes++) {
    const open = record.cases.filter((c) => c.status !== 'completed');
    const decision = resumeDecision(open, options.guestTypes, unexplainedLeft);
    if (!decision.resume) break;
    if (decision.unexplained) unexplainedLeft--;
    for (const c of open) {
      const kind = c === decision.unexplained ? 'failed of no known nested fault' : 'failed';
      process.stderr.write(
        `xen lab: ${c.id} ${kind} (${c.error?.message}); guest log tail:\n${(c.guestLogTail ?? []).join('\n')}\n${await peersSaid(runDir, c)}\nresuming the run\n`,
      );
    }
    const resumed = await hvbench(['run', '--resume', runDir, '--host', 'lab-xen'], {
      env: { HVBENCH_LABS: options.stateRoot },
      timeoutMs: options.timeoutMs,
    });
    process.stderr.write(`hvbench run --resume on lab-xen: exit ${resumed.exitCode}\n${resumed.stdout}\n${resumed.stderr}\n`);
    record = await read();
  }
  return { record, resumes };
}
