import { Command, CommanderError } from 'commander';
import { markOwner } from '../backends/common/owner.ts';
import { HvbError, describeError } from '../util/errors.ts';
import { registerClean } from './commands/clean.ts';
import { registerCompare } from './commands/compare.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerExport } from './commands/export.ts';
import { registerHistory } from './commands/history.ts';
import { registerHosts } from './commands/hosts.ts';
import { registerImage } from './commands/image.ts';
import { registerIndex } from './commands/index.ts';
import { registerLab } from './commands/lab.ts';
import { registerList } from './commands/list.ts';
import { registerMerge } from './commands/merge.ts';
import { registerReport } from './commands/report.ts';
import { registerRun } from './commands/run.ts';
import { exitCodeOf } from './exit-codes.ts';
import { installSignalHandlers } from './signals.ts';
import { packageVersion } from './version.ts';

export { EXIT_BAD_INPUT, EXIT_FAILURE } from './exit-codes.ts';

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
  registerIndex(program);
  registerMerge(program);
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
    if (!(e instanceof CommanderError)) process.stderr.write(`hvbench: ${describeError(e)}\n`);
    if (!(e instanceof HvbError) && !(e instanceof CommanderError) && process.env.HVBENCH_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
    return exitCodeOf(e);
  }
}

process.exitCode = await main(process.argv);
