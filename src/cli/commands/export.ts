import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { exportCsv } from '../../results/csv.ts';
import { readSamples } from '../../results/samples-file.ts';
import { openRun } from '../../results/store.ts';
import { HvbError } from '../../util/errors.ts';
import { checkOutFile } from '../out-dir.ts';

export function registerExport(program: Command): void {
  const exp = program.command('export').description('export a run in another format');
  exp
    .command('csv')
    .description('one row per sample, every dimension a column')
    .argument('<run>', 'run folder or run id (looked up under results/)')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (ref: string, opts: { out?: string }) => {
      // The output is checked first: a bad --out is known before the run is read.
      const out = opts.out === undefined ? undefined : await checkOutFile(opts.out);
      const run = await openRun(ref);
      const { samples, warnings } = await readSamples(run);
      for (const w of [...run.warnings, ...warnings]) process.stderr.write(`warning: ${w}\n`);
      const csv = exportCsv(samples);
      if (out === undefined) {
        process.stdout.write(csv);
        return;
      }
      await writeFile(out, csv).catch((e: NodeJS.ErrnoException) => {
        throw new HvbError('usage', `--out ${opts.out}: cannot write the file: ${e.code ?? e.message}`, {
          cause: e,
          hint: 'Give a file in a writable folder.',
        });
      });
    });
}
