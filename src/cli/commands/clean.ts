import type { Command } from 'commander';
import { DEFAULT_RESULTS_DIR } from '../../results/store.ts';
import { findAllLeftovers, removeLeftovers } from '../../runner/leftovers.ts';
import { describeLeftovers, describeSkipped } from '../leftovers.ts';
import { checkOutDir } from '../out-dir.ts';

/**
 * `hvbench clean`: removes what earlier hvbench processes left when they were killed
 * (see runner/leftovers.ts) and prints each thing removed. Things of live hvbench processes, labs,
 * other users and anything hvbench did not make are left alone; what looks like hvbench's
 * but is left alone (another user's, a link) is listed with the reason.
 */
export function registerClean(program: Command): void {
  program
    .command('clean')
    .description(
      'remove what killed hvbench runs left behind: QEMU processes, VM folders, networks, scratch disks (marks their runs interrupted), host settings --stabilize changed (writes the previous values back)',
    )
    .option('-o, --out <dir>', 'results folder to look for cut-short runs in', DEFAULT_RESULTS_DIR)
    .option('-n, --dry-run', 'only list what would be removed')
    .action(async (opts: { out: string; dryRun?: boolean }) => {
      await checkOutDir(opts.out);
      const found = await findAllLeftovers({ resultsDir: opts.out });
      const lines = describeLeftovers(found);
      for (const s of describeSkipped(found)) process.stdout.write(`skipped: ${s}\n`);
      if (lines.length === 0) {
        process.stdout.write('nothing left behind by earlier runs\n');
        return;
      }
      if (opts.dryRun) {
        for (const l of lines) process.stdout.write(`would remove: ${l}\n`);
        return;
      }
      const { removed, problems } = await removeLeftovers(found, { resultsDir: opts.out });
      for (const r of removed) process.stdout.write(`removed: ${r}\n`);
      for (const p of problems) process.stderr.write(`could not remove: ${p}\n`);
      if (problems.length > 0) process.exitCode = 1;
    });
}
