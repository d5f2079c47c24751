import type { Command } from 'commander';
import type { Backend, Capability } from '../../backends/backend.ts';
import { backends } from '../../backends/registry.ts';
import type { Host } from '../../hosts/host.ts';
import { LocalHost } from '../../hosts/local.ts';
import { DEFAULT_RESULTS_DIR } from '../../results/store.ts';
import { describeLeftovers, findAllLeftovers } from '../leftovers.ts';

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
      // Leftovers of killed runs, listed after the backends (`hvbench clean` removes them).
      if (!opts.json) {
        const lines = describeLeftovers(await findAllLeftovers({ resultsDir: DEFAULT_RESULTS_DIR }));
        process.stdout.write(lines.length === 0 ? '\nleftovers: none\n' : `\nleftovers (remove with hvbench clean):\n${lines.map((l) => `  ${l}\n`).join('')}`);
      }
    });
}

/** Probes every backend on `host`, one after the other, and prints what each found. */
export async function runDoctor(list: readonly Backend[], host: Host, opts: DoctorOptions, io: DoctorIo): Promise<Capability[]> {
  const answers: Capability[] = [];
  for (const backend of list) {
    answers.push(await backend.probe(host, { ...(opts.recheck ? { recheck: true } : {}), log: io.progress }));
  }
  io.out(opts.json ? `${JSON.stringify(answers, null, 2)}\n` : formatDoctor(answers));
  return answers;
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
