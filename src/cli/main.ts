import { Command, CommanderError } from 'commander';
import { HvbError, describeError } from '../util/errors.ts';
import { registerClean } from './commands/clean.ts';
import { registerCompare } from './commands/compare.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerExport } from './commands/export.ts';
import { registerHistory } from './commands/history.ts';
import { registerHosts } from './commands/hosts.ts';
import { registerImage } from './commands/image.ts';
import { registerLab } from './commands/lab.ts';
import { registerList } from './commands/list.ts';
import { registerReport } from './commands/report.ts';
import { registerRun } from './commands/run.ts';
import { markOwner } from './leftovers.ts';
import { installSignalHandlers } from './signals.ts';
import { packageVersion } from './version.ts';

/** Exit codes: 0 success, 1 a run or check failed, 2 bad input (usage, suite file, arguments). */
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

const BAD_INPUT_CODES = new Set(['usage', 'unknown-backend', 'suite-invalid', 'suite-not-found', 'suite-import', 'suite-no-export', 'run-not-found', 'run-invalid', 'samples-invalid', 'resume-mismatch', 'hosts-file']);

async function main(argv: string[]): Promise<number> {
  const program = new Command('hvbench')
    .description('Compare hypervisors (QEMU TCG, KVM, Xen) on one identical guest against a native baseline')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  registerRun(program);
  registerList(program);
  registerImage(program);
  registerLab(program);
  registerDoctor(program);
  registerExport(program);
  registerCompare(program);
  registerHistory(program);
  registerHosts(program);
  registerReport(program);
  registerClean(program);
  installSignalHandlers();
  // Every VMM started from here carries this process's identity: `hvbench clean` tells an orphan by it.
  markOwner();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    process.stderr.write(`hvbench: ${describeError(e)}\n`);
    if (e instanceof HvbError && BAD_INPUT_CODES.has(e.code)) return EXIT_BAD_INPUT;
    if (!(e instanceof HvbError) && process.env.HVBENCH_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return EXIT_FAILURE;
  }
}

process.exitCode = await main(process.argv);
