import { gunzipSync, gzipSync } from 'node:zlib';
import { HvbError } from '../../util/errors.ts';
import type { GuestCommand } from '../../workloads/workload.ts';

/**
 * The job the guest agent runs, passed on the kernel command line as `hvb.job=<base64url>`.
 *
 * Decoded, it is a few lines of space-separated words (the agent reads it with `read`, never
 * with `eval`):
 *
 *     v 1
 *     nonce 3f9a…            random per run; only console lines carrying it are trusted
 *     workload cpu
 *     modules virtio_blk     optional: kernel modules to load before the first step
 *     probe disk             optional: find the attached disk (and/or nic), report it in a
 *                            `fact` frame; steps may then name it as @disk (@nic)
 *     alive 10               optional: from ready on, write an `alive` frame every 10 s, so
 *                            the host can tell a hung guest from a long step
 *     count                  optional: bracket each step's command with `begin`/`ran` frames,
 *                            the windows in which the host counts the VM's events
 *     barrier                optional: after the probes, report the fact barrier=waiting and
 *                            wait for the line `go <nonce>` on the console input (natively on
 *                            fd 3) before the first step: a density case's shared start
 *                            barrier (src/runner/density.ts)
 *     hold                   optional: after `done`, report the fact hold=waiting and wait for
 *                            `go <nonce>` before powering off, so that the host's last event
 *                            reads find the VM still there (src/runner/event-windows.ts); a
 *                            native run, whose counts are in its own frames, does not wait
 *     step cpu sysbench cpu --threads=1 --time=5 run
 *
 * Words are limited to SAFE_WORD so that nothing in a job can be read as shell syntax, and the
 * whole kernel command line must fit in the x86 limit of 2048 bytes.
 */
export interface Job {
  nonce: string;
  workload: string;
  command: GuestCommand;
  /** Devices the host attached for the job, which the agent finds and reports before the steps. */
  probe?: ProbeKind[];
  /** Seconds between the agent's `alive` frames after ready; absent: no heartbeat. */
  aliveEveryS?: number;
  /** Bracket each step with `begin`/`ran` frames (`run --count-events`); absent: no such frames. */
  count?: boolean;
  /** Wait for `go <nonce>` before the first step (a density case's start barrier, runner/density.ts). */
  barrier?: boolean;
  /** Wait for `go <nonce>` after `done`, before powering off (counted runs: the last event reads). */
  hold?: boolean;
}

export const PROBE_KINDS = ['disk', 'nic'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

export const JOB_VERSION = 1;
export const SAFE_WORD = /^[A-Za-z0-9_.,:=/+%@-]+$/;
const STEP_ID = /^[a-z0-9_-]{1,32}$/;
const NONCE = /^[0-9a-f]{16,64}$/;
export const CMDLINE_PARAM = 'hvb.job';

function checkWord(word: string, where: string): void {
  if (!SAFE_WORD.test(word)) {
    throw new HvbError('job-word', `${where}: ${JSON.stringify(word)} cannot be passed to the guest; expected characters from [A-Za-z0-9_.,:=/+%@-]`);
  }
}

export function jobText(job: Job): string {
  if (!NONCE.test(job.nonce)) throw new HvbError('job-nonce', `nonce must be 16–64 hex digits, received ${JSON.stringify(job.nonce)}`);
  checkWord(job.workload, 'workload');
  const lines = [`v ${JOB_VERSION}`, `nonce ${job.nonce}`, `workload ${job.workload}`];
  const modules = job.command.modules ?? [];
  for (const m of modules) checkWord(m, 'modules');
  if (modules.length > 0) lines.push(`modules ${modules.join(' ')}`);
  const probe = job.probe ?? [];
  for (const p of probe) if (!PROBE_KINDS.includes(p)) throw new HvbError('job-probe', `probe ${JSON.stringify(p)}: expected one of ${PROBE_KINDS.join(', ')}`);
  if (probe.length > 0) lines.push(`probe ${probe.join(' ')}`);
  if (job.aliveEveryS !== undefined) {
    if (!Number.isInteger(job.aliveEveryS) || job.aliveEveryS < 1 || job.aliveEveryS > 3600)
      throw new HvbError('job-alive', `alive every ${job.aliveEveryS} s: expected a whole number of seconds from 1 to 3600`);
    lines.push(`alive ${job.aliveEveryS}`);
  }
  if (job.count) lines.push('count');
  if (job.barrier === true) lines.push('barrier');
  if (job.hold === true) lines.push('hold');
  for (const step of job.command.steps) {
    if (!STEP_ID.test(step.id)) throw new HvbError('job-step', `step id ${JSON.stringify(step.id)}: expected [a-z0-9_-]{1,32}`);
    if (step.argv.length === 0) throw new HvbError('job-step', `step ${step.id}: empty command`);
    for (const [i, w] of step.argv.entries()) checkWord(w, `step ${step.id} argv[${i}]`);
    lines.push(`step ${step.id} ${step.argv.join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The compressed form's parameter: `hvb.jobz=<base64url of the gzipped job text>`. */
export const CMDLINE_PARAM_GZIP = 'hvb.jobz';

/**
 * `hvb.job=<base64url>` for the kernel command line, or `hvb.jobz=<base64url of gzip>` when
 * that is shorter: a Xen PV guest's whole command line must fit 1023 bytes, and a disk job
 * (four fio steps) is about 1 KiB plain and a third of that gzipped. Deterministic: the
 * gzip header carries no time or name.
 */
export function encodeJob(job: Job): string {
  const text = Buffer.from(jobText(job), 'utf8');
  const plain = `${CMDLINE_PARAM}=${text.toString('base64url')}`;
  const zipped = `${CMDLINE_PARAM_GZIP}=${gzipSync(text, { level: 9 }).toString('base64url')}`;
  return zipped.length < plain.length ? zipped : plain;
}

/** The inverse of encodeJob, for tests and for reading a command line back. */
export function decodeJob(cmdline: string): Job {
  const m = /(?:^|\s)hvb\.job(z?)=([A-Za-z0-9_-]+)(?:\s|$)/.exec(cmdline);
  if (!m?.[2]) throw new HvbError('job-missing', `no ${CMDLINE_PARAM}= (or ${CMDLINE_PARAM_GZIP}=) parameter on the command line`);
  const bytes = Buffer.from(m[2], 'base64url');
  const text = (m[1] === 'z' ? gunzipSync(bytes) : bytes).toString('utf8');
  let nonce = '';
  let workload = '';
  let version = 0;
  const command: GuestCommand = { steps: [] };
  const probe: ProbeKind[] = [];
  let aliveEveryS: number | undefined;
  let barrier = false;
  let count = false;
  let hold = false;
  for (const line of text.split('\n').filter((l) => l.length > 0)) {
    const [kind, ...words] = line.split(' ');
    if (kind === 'v') version = Number(words[0]);
    else if (kind === 'nonce') nonce = words[0] ?? '';
    else if (kind === 'workload') workload = words[0] ?? '';
    else if (kind === 'modules') command.modules = words;
    else if (kind === 'probe') probe.push(...(words as ProbeKind[]));
    else if (kind === 'alive') aliveEveryS = Number(words[0]);
    else if (kind === 'barrier') barrier = true;
    else if (kind === 'count') count = true;
    else if (kind === 'hold') hold = true;
    else if (kind === 'step') command.steps.push({ id: words[0] ?? '', argv: words.slice(1) });
    else throw new HvbError('job-line', `unknown job line ${JSON.stringify(line)}`);
  }
  if (version !== JOB_VERSION) throw new HvbError('job-version', `job version ${version}, expected ${JOB_VERSION}`);
  return {
    nonce,
    workload,
    command,
    ...(probe.length > 0 ? { probe } : {}),
    ...(aliveEveryS === undefined ? {} : { aliveEveryS }),
    ...(barrier ? { barrier } : {}),
    ...(count ? { count } : {}),
    ...(hold ? { hold } : {}),
  };
}

export const MAX_CMDLINE_BYTES = 2047;

/** Checks the whole kernel command line fits the x86 limit (2048 bytes with the NUL). */
export function checkCmdline(cmdline: string): void {
  const bytes = Buffer.byteLength(cmdline, 'utf8');
  if (bytes > MAX_CMDLINE_BYTES) {
    throw new HvbError('cmdline-too-long', `kernel command line is ${bytes} bytes; the limit is ${MAX_CMDLINE_BYTES}`, {
      hint: 'shorten the workload parameters or split the job into fewer steps',
    });
  }
}
