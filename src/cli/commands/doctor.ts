import type { Command } from 'commander';
import type { Backend, Capability } from '../../backends/common/backend.ts';
import { backends } from '../../backends/registry.ts';
import type { Host } from '../../hosts/host.ts';
import { LocalHost } from '../../hosts/local.ts';
import { DEFAULT_RESULTS_DIR } from '../../results/store.ts';
import { findAllLeftovers, type LeftoverReport } from '../../runner/leftovers.ts';
import { leftoverItems, type LeftoverItem } from '../leftovers.ts';

export interface DoctorOptions {
  json?: boolean;
  /** Gather cached evidence again (KVM's canary boot). */
  recheck?: boolean;
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
    .action(async (opts: DoctorOptions) => {
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
