import type { Command } from 'commander';
import type { Backend, Capability } from '../../backends/common/backend.ts';
import { backends } from '../../backends/registry.ts';
import type { Host } from '../../hosts/host.ts';
import { LocalHost } from '../../hosts/local.ts';
import { DEFAULT_RESULTS_DIR } from '../../results/store.ts';
import { findAllLeftovers, type LeftoverReport } from '../../runner/leftovers.ts';
import { profileLines, tuningFindings, type TuningFinding } from '../../tuning/checks.ts';
import type { HostProfile } from '../../tuning/profile.ts';
import { readProfile } from '../../tuning/read.ts';
import { leftoverItems, type LeftoverItem } from '../leftovers.ts';

export interface DoctorOptions {
  json?: boolean;
  /** Gather cached evidence again (KVM's canary boot). */
  recheck?: boolean;
  /** Show the host's stabilisation profile and what is off for benchmarking, instead of the backends. */
  tuning?: boolean;
}

export interface DoctorIo {
  /** The answers (stdout). */
  out: (text: string) => void;
  /** Progress while a probe works, e.g. a canary boot (stderr). */
  progress: (line: string) => void;
  /** What killed hvbench processes left on this machine. Default: findAllLeftovers of the backends probed, with the default results folder. */
  leftovers?: () => Promise<LeftoverReport>;
}

/** `doctor --json`: one answer per backend, then the leftovers `hvbench clean` would remove. */
export interface DoctorReport {
  backends: Capability[];
  leftovers: LeftoverItem[];
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('say for every backend whether it can run on this host, and why not')
    .option('--json', 'machine-readable answers')
    .option('--recheck', 'gather cached evidence again (boots the KVM canary guest even when a verdict is cached)')
    .option('--tuning', "show the host's state for benchmarking (governor, turbo, SMT, THP, idle, irqbalance, swap, NUMA) and what to fix")
    .action(async (opts: DoctorOptions) => {
      if (opts.tuning) {
        await runDoctorTuning(new LocalHost(), opts, { out: (text) => process.stdout.write(text) });
        return;
      }
      await runDoctor(Object.values(backends), new LocalHost(), opts, {
        out: (text) => process.stdout.write(text),
        progress: (line) => process.stderr.write(`${line}\n`),
      });
    });
}

/**
 * Probes every backend on `host`, one after the other, then looks for leftovers of killed
 * runs, and prints both: lines (the leftovers after the backends), or with `json` one
 * object `{ backends, leftovers }`.
 */
export async function runDoctor(list: readonly Backend[], host: Host, opts: DoctorOptions, io: DoctorIo): Promise<DoctorReport> {
  const answers: Capability[] = [];
  for (const backend of list) {
    answers.push(await backend.probe(host, { ...(opts.recheck ? { recheck: true } : {}), log: io.progress }));
  }
  const find = io.leftovers ?? (() => findAllLeftovers({ resultsDir: DEFAULT_RESULTS_DIR, backends: list }));
  const report: DoctorReport = { backends: answers, leftovers: leftoverItems(await find()) };
  io.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctor(answers) + formatLeftovers(report.leftovers));
  return report;
}

/** The leftovers section of `doctor` (`hvbench clean` removes them). */
export function formatLeftovers(items: readonly LeftoverItem[]): string {
  return items.length === 0 ? '\nleftovers: none\n' : `\nleftovers (remove with hvbench clean):\n${items.map((i) => `  ${i.what}\n`).join('')}`;
}

/** One line per backend (yes/no and the reason), a hint line under it when there is one. */
export function formatDoctor(answers: readonly Capability[]): string {
  const width = Math.max(...answers.map((a) => a.backend.length));
  return answers
    .map((a) => {
      const line = `${a.backend.padEnd(width)}  ${a.available ? 'yes' : 'no '}  ${a.reason}\n`;
      return a.hint ? `${line}${' '.repeat(width + 7)}hint: ${a.hint}\n` : line;
    })
    .join('');
}

/** `doctor --tuning --json`: the host's profile and what is off for benchmarking. */
export interface TuningReport {
  host: string;
  profile: HostProfile;
  findings: TuningFinding[];
}

/** Reads the profile of `host` and prints it with what is off for benchmarking, each with its fix. */
export async function runDoctorTuning(host: Host, opts: DoctorOptions, io: Pick<DoctorIo, 'out'>): Promise<TuningReport> {
  const profile = await readProfile(host);
  const report: TuningReport = { host: host.name, profile, findings: tuningFindings(profile) };
  io.out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatTuning(report));
  return report;
}

/** The profile, one setting a line, then the findings with their fixes (or that nothing is off). */
export function formatTuning(r: TuningReport): string {
  const lines = [`host state of ${r.host}:`, ...profileLines(r.profile).map((l) => `  ${l}`)];
  if (r.findings.length === 0) lines.push('', 'nothing off for benchmarking among what could be read');
  else {
    lines.push('', 'off for benchmarking:');
    for (const f of r.findings) lines.push(`  ${f.problem}`, `    fix: ${f.fix}`);
  }
  lines.push('', 'THP, SMT and swappiness must also be the same on every run you compare (the report lists them per run).');
  return `${lines.join('\n')}\n`;
}
