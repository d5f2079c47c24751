import type { Command } from 'commander';
import { expandSuite } from '../../suite/expand.ts';
import { formatCaseList } from '../../suite/list.ts';
import { loadSuite } from '../../suite/load.ts';
import { backendList, suiteDeps } from '../context.ts';
import { filterByBackend } from '../filter-cases.ts';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('print the cases a suite expands to')
    .argument('<suite>', 'suite file (TypeScript)')
    .option('-b, --backend <names...>', 'only these backends (comma-separated or repeated)')
    .action(async (file: string, opts: { backend?: string[] }) => {
      const suite = await loadSuite(file, suiteDeps);
      const cases = filterByBackend(expandSuite(suite, suiteDeps, { source: file }), backendList(opts.backend), file);
      process.stdout.write(`${formatCaseList(cases)}\n`);
    });
}
