import type { Command } from 'commander';
import { backends } from '../../backends/registry.ts';
import { LocalHost } from '../../hosts/local.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('say for every backend whether it can run on this host, and why not')
    .option('--json', 'machine-readable answers')
    .action(async (opts: { json?: boolean }) => {
      const host = new LocalHost();
      const answers = [];
      for (const backend of Object.values(backends)) answers.push(await backend.probe(host));
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(answers, null, 2)}\n`);
        return;
      }
      const width = Math.max(...answers.map((a) => a.backend.length));
      for (const a of answers) {
        process.stdout.write(`${a.backend.padEnd(width)}  ${a.available ? 'yes' : 'no '}  ${a.reason}\n`);
        if (a.hint) process.stdout.write(`${' '.repeat(width + 7)}hint: ${a.hint}\n`);
      }
    });
}
