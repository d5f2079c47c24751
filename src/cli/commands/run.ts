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
import { applyOverrides, filterByWorkload, optional } from '../filter-cases.ts';
import { DEFAULT_HOSTS_FILE, hostList, selectHosts } from '../host-selection.ts';
import { positiveInt } from '../stats-options.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a suite: boot the guest for every case and repetition, write results/<run-id>/')
    .argument('<suite>', 'suite file (TypeScript)')
    .option('-b, --backend <names...>', "run on these backends instead of the suite's (comma-separated or repeated)")
    .option('--xen-type <types...>', "Xen guest types instead of the suite's xenTypes: pv, pvh, hvm")
    .option('-w, --workload <names...>', 'only these workloads (comma-separated or repeated)')
    .option('-H, --host <names...>', 'run on these hosts: local, hosts-file names, lab-kvm, lab-xen (default: the suite\'s hosts, else local)')
    .option('--hosts-file <file>', `remote hosts (default: ${DEFAULT_HOSTS_FILE} when present)`)
    .option('-r, --repetitions <n>', 'measured repetitions per case, overriding the suite', (text: string) => positiveInt(text, '--repetitions', 1))
    .option('-o, --out <dir>', 'folder for run folders', DEFAULT_RESULTS_DIR)
    .action(async (file: string, opts: { backend?: string[]; xenType?: string[]; workload?: string[]; host?: string[]; hostsFile?: string; repetitions?: number; out: string }) => {
      const suite = await loadSuite(file, suiteDeps);
      applyOverrides(suite, { ...optional('backends', backendList(opts.backend)), ...optional('xenTypes', backendList(opts.xenType)), ...optional('repetitions', opts.repetitions) });
      const cases = filterByWorkload(expandSuite(suite, suiteDeps, { source: file }), backendList(opts.workload), file);
      const selected = await selectHosts({ ...(hostList(opts.host) ? { names: hostList(opts.host)! } : {}), ...(suite.hosts ? { suiteHosts: suite.hosts } : {}), ...(opts.hostsFile ? { hostsFile: opts.hostsFile } : {}) });
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
        hosts: selected.hosts,
        backends: getBackend,
        workloads,
        observer: progress,
        network: createNetworkProvider({ image }),
        signal: interrupt.signal,
      }).finally(() => selected.close());
      process.stdout.write(`\n${renderResultTable(samples)}\n`);
      const notDone = run.record.cases.filter((c) => c.status !== 'completed');
      for (const c of notDone) process.stdout.write(`${c.id}: ${c.status}${c.error ? ` — ${c.error.message}` : ''}\n`);
      process.stdout.write(`\nresults: ${run.dir}\n`);
      if (run.record.status === 'interrupted') process.exitCode = 130;
      else if (notDone.some((c) => c.status === 'failed' || c.status === 'timed-out')) process.exitCode = 1;
    });
}
