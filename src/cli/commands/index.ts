import type { Command } from 'commander';
import { INDEX_DIR, withIndex } from '../../results/index/db.ts';
import { indexedRuns } from '../../results/index/query.ts';
import { syncIndex } from '../../results/index/sync.ts';
import { DEFAULT_RESULTS_DIR } from '../../results/store.ts';

/**
 * `hvbench index`: the results folder's index (src/results/index/) made anew, or brought up
 * to date. Readers bring it up to date by themselves; `rebuild` is for an index in doubt.
 */
export function registerIndex(program: Command): void {
  const index = program.command('index').description(`the results index (<out>/${INDEX_DIR}/): runs and samples in one file for history, compare and export`);
  index
    .command('rebuild')
    .description('make the index anew from the run folders, which stay the source of truth')
    .option('--out <dir>', 'the results folder', DEFAULT_RESULTS_DIR)
    .action(async (opts: { out: string }) => report(opts.out, true));
  index
    .command('update')
    .description('read the run folders that are new or changed since they were indexed, drop those removed')
    .option('--out <dir>', 'the results folder', DEFAULT_RESULTS_DIR)
    .action(async (opts: { out: string }) => report(opts.out, false));
}

async function report(out: string, fresh: boolean): Promise<void> {
  const started = performance.now();
  const { sync, runs } = await withIndex(
    out,
    async (db) => {
      const sync = await syncIndex(db);
      return { sync, runs: await indexedRuns(db, out) };
    },
    { fresh },
  );
  const refused = runs.filter((r) => r.error !== undefined);
  for (const r of refused) process.stderr.write(`warning: ${r.error}\n`);
  const samples = runs.reduce((n, r) => n + r.sampleCount, 0);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `index of ${out}: ${runs.length - refused.length} runs, ${samples} samples` +
      `${refused.length ? `, ${refused.length} folder(s) refused` : ''}; ${sync.read} read, ${sync.kept} unchanged, ${sync.dropped} dropped, ${seconds.toFixed(2)} s\n`,
  );
}
