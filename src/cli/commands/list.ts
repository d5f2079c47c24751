import type { Command } from 'commander';
import { expandSuite } from '../../suite/expand.ts';
import { formatCaseList } from '../../suite/list.ts';
import { loadSuite } from '../../suite/load.ts';
import { backendList, suiteDeps } from '../context.ts';
import { addVariantOptions, applyOverrides, filterByWorkload, optional, variantOverrides } from '../filter-cases.ts';

export function registerList(program: Command): void {
  const command = program
    .command('list')
    .description('print the cases a suite expands to')
    .argument('<suite>', 'suite file (TypeScript)')
    .option('-b, --backend <names...>', "these backends instead of the suite's (comma-separated or repeated)")
    .option('-w, --workload <names...>', 'only these workloads (comma-separated or repeated)');
  addVariantOptions(command).action(async (file: string, opts: { backend?: string[]; workload?: string[] } & Record<string, unknown>) => {
    const suite = await loadSuite(file, suiteDeps);
    applyOverrides(suite, { ...optional('backends', backendList(opts.backend)), ...variantOverrides(opts, backendList) });
    const cases = filterByWorkload(expandSuite(suite, suiteDeps, { source: file }), backendList(opts.workload), file);
    process.stdout.write(`${formatCaseList(cases)}\n`);
  });
}
