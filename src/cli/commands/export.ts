import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { exportCsv } from '../../results/csv.ts';
import { withIndex } from '../../results/index/db.ts';
import { countedRuns } from '../../results/index/counted.ts';
import { exportIndexParquet, exportSamplesParquet } from '../../results/index/export.ts';
import { indexedRuns, indexedSamples } from '../../results/index/query.ts';
import { syncIndex } from '../../results/index/sync.ts';
import type { Sample } from '../../results/sample.ts';
import { readSamples } from '../../results/samples-file.ts';
import { openRun } from '../../results/store.ts';
import { HvbError } from '../../util/errors.ts';
import { checkOutFile } from '../out-dir.ts';

interface ExportOpts {
  out?: string;
  index?: string;
}

export function registerExport(program: Command): void {
  const exp = program.command('export').description('export a run, or every run of a results folder, in another format');
  exp
    .command('csv')
    .description('one row per sample, every dimension a column')
    .argument('[run]', 'run folder or run id (looked up under results/)')
    .option('--index <results-dir>', 'every run of a results folder, through its index (made or updated first), instead of one run')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action(async (ref: string | undefined, opts: ExportOpts) => {
      // The output is checked first: a bad --out is known before the run is read.
      const out = opts.out === undefined ? undefined : await checkOutFile(opts.out);
      const source = sourceOf(ref, opts);
      const samples = source.kind === 'run' ? await runSamples(source.ref) : await indexSamples(source.dir);
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
  exp
    .command('parquet')
    .description('one row per sample as Parquet (pandas, R, DuckDB): the CSV columns, dimensions typed by their values')
    .argument('[run]', 'run folder or run id (looked up under results/)')
    .option('--index <results-dir>', 'every run of a results folder, through its index (made or updated first), instead of one run')
    .requiredOption('-o, --out <file>', 'the Parquet file to write')
    .action(async (ref: string | undefined, opts: ExportOpts & { out: string }) => {
      const out = await checkOutFile(opts.out);
      const source = sourceOf(ref, opts);
      const rows =
        source.kind === 'run'
          ? await exportSamplesParquet(await runSamples(source.ref), out)
          : await withIndex(source.dir, async (db) => {
              await syncIndex(db);
              const { runs, warnings } = await countedRuns(await indexedRuns(db, source.dir));
              for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
              return exportIndexParquet(
                db,
                runs.map((r) => r.key),
                out,
              );
            });
      process.stderr.write(`${rows} samples written to ${out}\n`);
    });
}

type Source = { kind: 'run'; ref: string } | { kind: 'index'; dir: string };

function sourceOf(ref: string | undefined, opts: ExportOpts): Source {
  if (ref !== undefined && opts.index !== undefined) throw new HvbError('usage', `give a run or --index ${opts.index}, not both`);
  if (ref !== undefined) return { kind: 'run', ref };
  if (opts.index !== undefined) return { kind: 'index', dir: opts.index };
  throw new HvbError('usage', 'expected a run (folder or id), or --index <results-dir> for every run of a results folder');
}

async function runSamples(ref: string): Promise<Sample[]> {
  const run = await openRun(ref);
  const { samples, warnings } = await readSamples(run);
  for (const w of [...run.warnings, ...warnings]) process.stderr.write(`warning: ${w}\n`);
  return samples;
}

/** Every counted run's samples, oldest run first (by folder name: run ids start with their time). */
async function indexSamples(dir: string): Promise<Sample[]> {
  return withIndex(dir, async (db) => {
    await syncIndex(db);
    const { runs, warnings } = await countedRuns(await indexedRuns(db, dir));
    for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
    const byRun = await indexedSamples(
      db,
      runs.map((r) => r.key),
    );
    return runs.flatMap((r) => byRun.get(r.key) ?? []);
  });
}
