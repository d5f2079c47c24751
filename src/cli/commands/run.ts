import type { Command } from 'commander';
import { buildImage } from '../../guest/build.ts';
import { LocalHost } from '../../hosts/local.ts';
import { cleanLeftovers } from '../../hosts/netns-leftovers.ts';
import { createNetworkProvider } from '../../hosts/netns-provider.ts';
import { renderResultTable } from '../../report/table.ts';
import { DEFAULT_RESULTS_DIR } from '../../results/store.ts';
import { progressObserver } from '../../runner/progress.ts';
import { runSuite } from '../../runner/run-suite.ts';
import { expandSuite } from '../../suite/expand.ts';
import { loadSuite } from '../../suite/load.ts';
import { interrupt } from '../signals.ts';
import { backendList, getBackend, suiteDeps, workloads } from '../context.ts';
import { filterByBackend } from '../filter-cases.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a suite: boot the guest for every case and repetition, write results/<run-id>/')
    .argument('<suite>', 'suite file (TypeScript)')
    .option('-b, --backend <names...>', 'only these backends (comma-separated or repeated)')
    .option('-o, --out <dir>', 'folder for run folders', DEFAULT_RESULTS_DIR)
    .action(async (file: string, opts: { backend?: string[]; out: string }) => {
      const suite = await loadSuite(file, suiteDeps);
      const cases = filterByBackend(expandSuite(suite, suiteDeps, { source: file }), backendList(opts.backend), file);
      const image = await buildImage({ log: (line) => process.stderr.write(`image: ${line}\n`) });
      const leftovers = await cleanLeftovers();
      for (const l of leftovers.removed) process.stderr.write(`cleaned up after an earlier run: ${`network ${l.name}${l.netns ? ` (namespace ${l.netns})` : ''}${l.peers.length ? `, ${l.peers.length} peer process(es)` : ''}`}\n`);
      for (const p of leftovers.problems) process.stderr.write(`warning: ${p}\n`);
      const progress = progressObserver();
      const { run, samples } = await runSuite({
        suite,
        suiteFile: file,
        cases,
        outDir: opts.out,
        image,
        host: new LocalHost(),
        backends: getBackend,
        workloads,
        observer: progress,
        network: createNetworkProvider({ image }),
        signal: interrupt.signal,
      });
      process.stdout.write(`\n${renderResultTable(samples)}\n`);
      const notDone = run.record.cases.filter((c) => c.status !== 'completed');
      for (const c of notDone) process.stdout.write(`${c.id}: ${c.status}${c.error ? ` — ${c.error.message}` : ''}\n`);
      process.stdout.write(`\nresults: ${run.dir}\n`);
      if (run.record.status === 'interrupted') process.exitCode = 130;
      else if (notDone.some((c) => c.status === 'failed' || c.status === 'timed-out')) process.exitCode = 1;
    });
}
