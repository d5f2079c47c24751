import { resolve } from 'node:path';
import type { Command } from 'commander';
import { mergeShards } from '../../results/merge.ts';
import { DEFAULT_RESULTS_DIR, openRun } from '../../results/store.ts';
import { checkOutDir } from '../out-dir.ts';
import { indexRunIfPresent } from '../../results/index/sync.ts';

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('join the shards of a split run (`run --shard i/N`) into one run folder under --out; refuses shards of different splits, naming what differs')
    .argument('<runs...>', 'the run folder (or id under --out) of every shard')
    .option('-o, --out <dir>', 'folder for the merged run folder', DEFAULT_RESULTS_DIR)
    .action(async (refs: string[], opts: { out: string }) => {
      const out = await checkOutDir(resolve(opts.out));
      const runs = [];
      for (const ref of refs) runs.push(await openRun(ref, { resultsDir: out }));
      const { run, samples, warnings } = await mergeShards(runs, out);
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      // The results folder's index, when it has one, learns of the merged run now.
      await indexRunIfPresent(run.dir, (w) => process.stderr.write(`warning: ${w}\n`));
      const shards = run.record.merged?.shards ?? [];
      const cases = run.record.cases;
      const done = cases.filter((c) => c.status === 'completed').length;
      process.stdout.write(
        `merged ${shards.length} shard(s) (${shards.map((s) => s.run).join(', ')}): ${cases.length} cases (${done} completed), ${samples} samples\n`,
      );
      if (run.record.status !== 'completed')
        process.stderr.write(`the merged run is ${run.record.status}: ${run.record.error?.message ?? 'a shard did not complete'}\n`);
      process.stdout.write(`results: ${run.dir}\n`);
    });
}
