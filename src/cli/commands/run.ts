import type { Command } from 'commander';
import { buildImage } from '../../guest/build.ts';
import { LocalHost } from '../../hosts/local.ts';
import { cleanLeftovers } from '../../network/netns-leftovers.ts';
import { createNetworkProvider } from '../../network/netns-provider.ts';
import { createDom0NetworkProvider } from '../../network/dom0-network.ts';
import { renderRunFlags } from '../../report/run-flags.ts';
import { renderResultTable } from '../../report/table.ts';
import { DEFAULT_RESULTS_DIR, openRun, type StoredRun } from '../../results/store.ts';
import type { SuiteOverrides } from '../../results/run-record.ts';
import { casesLeft, casesToResume, checkResumeSuite } from '../../runner/resume.ts';
import { HvbError } from '../../util/errors.ts';
import { EVENT_SOURCE_CHOICES, type EventSourceChoice } from '../../backends/common/backend.ts';
import { dirname, resolve } from 'node:path';
import { progressObserver } from '../../runner/progress.ts';
import { indexRunIfPresent } from '../../results/index/sync.ts';
import { BACKEND_UNAVAILABLE, runSuite } from '../../runner/run-suite.ts';
import { describeShard, estimatedSeconds, parseShard, shardCases, type ShardSpec } from '../../runner/shard.ts';
import { expandSuite } from '../../suite/expand.ts';
import { loadSuite } from '../../suite/load.ts';
import { interrupt, setInterruptNote } from '../signals.ts';
import { checkOutDir } from '../out-dir.ts';
import { backendList, getBackend, suiteDeps, workloads } from '../context.ts';
import { addVariantOptions, applyOverrides, filterByWorkload, optional, variantOverrides } from '../filter-cases.ts';
import { variantAxes } from '../../backends/registry.ts';
import { DEFAULT_HOSTS_FILE, hostList, hostsToUse, selectHosts } from '../host-selection.ts';
import { positiveInt } from '../stats-options.ts';
import { compareConfigOf, settingsFor } from '../../stats/thresholds.ts';

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('run a suite: boot the guest for every case and repetition, write results/<run-id>/')
    .argument('[suite]', 'suite file (TypeScript); with --resume, default: the one the run recorded')
    .option('-b, --backend <names...>', "run on these backends instead of the suite's (comma-separated or repeated)")
    .option('-w, --workload <names...>', 'only these workloads (comma-separated or repeated)')
    .option('-H, --host <names...>', "run on these hosts: local, hosts-file names, lab-kvm, lab-xen (default: the suite's hosts, else local)")
    .option('--hosts-file <file>', `remote hosts (default: ${DEFAULT_HOSTS_FILE} when present)`)
    .option('-r, --repetitions <n>', 'measured repetitions per case, overriding the suite', (text: string) => positiveInt(text, '--repetitions', 1))
    .option('-o, --out <dir>', 'folder for run folders', DEFAULT_RESULTS_DIR)
    .option('--resume <run>', 'go on with an earlier run (folder, or id under --out): run only what it has not completed')
    .option('--fail-fast', 'stop at the first case that fails or times out')
    .option('--shard <i/N>', 'run part i of the suite split into N (one per CI runner); `hvbench merge` joins the parts (docs/ci.md)', parseShard)
    .option(
      '--retry-crashed <n>',
      'run again a repetition whose guest stopped by itself (reset, panic, VMM exit) or hung (before it said ready, or silent past its heartbeat), up to n times per case; each lost attempt is kept in run.json',
      (text: string) => positiveInt(text, '--retry-crashed', 0),
    )
    .option(
      '--count-events [source]',
      `count each VM's events around every step on its host (KVM exits by reason, TCG translator statistics, native page faults and context switches) as events.<step>.<counter>_per_s samples (docs/overhead.md); a source (${EVENT_SOURCE_CHOICES.join(', ')}) is used where a backend has it`,
      parseEventSource,
    )
    .option(
      '--stabilize',
      "as root: set each host's governor to performance, turbo off and THP to madvise for the run, then put them back (docs/reproducible.md)",
    );
  addVariantOptions(command).action(
    async (
      given: string | undefined,
      opts: {
        backend?: string[];
        workload?: string[];
        host?: string[];
        hostsFile?: string;
        repetitions?: number;
        out: string;
        resume?: string;
        failFast?: boolean;
        shard?: ShardSpec;
        retryCrashed?: number;
        countEvents?: boolean | EventSourceChoice;
        stabilize?: boolean;
      } & Record<string, unknown>,
    ) => {
      // Every path the user typed is made absolute once, here: VMMs, remote hosts and child
      // processes run in other working directories.
      const out = resolve(opts.out);
      let overrides: SuiteOverrides = {
        ...optional('backends', backendList(opts.backend)),
        ...variantOverrides(opts, backendList),
        ...optional('repetitions', opts.repetitions),
        ...optional('workloads', backendList(opts.workload)),
      };
      let resume: StoredRun | undefined;
      if (opts.resume !== undefined) {
        if (Object.keys(overrides).length > 0)
          throw new HvbError(
            'usage',
            `--resume runs the cases the run already has: --backend, ${variantAxes.map((a) => `--${a.option}, `).join('')}--workload and --repetitions cannot be given with it`,
          );
        if (opts.shard) throw new HvbError('usage', '--resume goes on with the shard the run recorded: --shard cannot be given with it');
        resume = await openRun(opts.resume, { resultsDir: out, forWriting: true });
        overrides = resume.record.suite.overrides ?? {};
      } else if (given === undefined) throw new HvbError('usage', 'hvbench run: give a suite file (or --resume <run>)');
      await checkOutDir(resume ? dirname(resume.dir) : out);
      setInterruptNote('stopping the VMs and saving what was measured');
      const file = given ?? resume!.record.suite.file;
      const suite = await loadSuite(file, suiteDeps);
      applyOverrides(suite, overrides);
      const expanded = filterByWorkload(expandSuite(suite, suiteDeps, { source: file }), overrides.workloads, file);
      if (resume) checkResumeSuite(suite, resume.record, file);
      const part = opts.shard ? shardCases(expanded, opts.shard, (c) => estimatedSeconds(c, workloads)) : undefined;
      if (part) process.stderr.write(`${describeShard(part.record)}${part.byCost ? '' : ' (balanced by case count: not every case has a time estimate)'}\n`);
      const cases = resume ? casesToResume(resume.record, expandSuite(suite, suiteDeps, { source: file })) : (part?.cases ?? expanded);
      if (resume && casesLeft(resume.record).length === 0) {
        process.stdout.write(`every case of ${resume.dir} has completed: nothing to resume\n`);
        return;
      }
      const hostNames = hostsToUse(hostList(opts.host), resume?.record);
      const selected = await selectHosts({
        ...(hostNames ? { names: hostNames } : {}),
        ...(suite.hosts ? { suiteHosts: suite.hosts } : {}),
        ...(opts.hostsFile ? { hostsFile: resolve(opts.hostsFile) } : {}),
      });
      const image = await buildImage({ log: (line) => process.stderr.write(`image: ${line}\n`) });
      const leftovers = await cleanLeftovers();
      for (const l of leftovers.removed)
        process.stderr.write(
          `cleaned up after an earlier run: ${`network ${l.name}${l.netns ? ` (namespace ${l.netns})` : ''}${l.peers.length ? `, ${l.peers.length} peer process(es)` : ''}`}\n`,
        );
      for (const p of leftovers.problems) process.stderr.write(`warning: ${p}\n`);
      const progress = progressObserver();
      const { run, samples } = await runSuite({
        suite,
        suiteFile: file,
        cases,
        outDir: resume ? dirname(resolve(resume.dir)) : out,
        image,
        host: new LocalHost(),
        hosts: selected.hosts,
        backends: getBackend,
        workloads,
        observer: progress,
        networks: {
          'host-netns': createNetworkProvider({ image }),
          'host-bridge': createDom0NetworkProvider({ image, log: (line) => process.stderr.write(`${line}\n`) }),
        },
        signal: interrupt.signal,
        ...(Object.keys(overrides).length > 0 ? { suiteOverrides: overrides } : {}),
        ...(resume ? { resume } : {}),
        ...(opts.failFast ? { failFast: true } : {}),
        ...(part ? { shard: part.record } : {}),
        ...(opts.retryCrashed ? { retryCrashed: opts.retryCrashed } : {}),
        ...countingOf(opts.countEvents, suite.countEvents, resume?.record.countEvents),
        ...(opts.stabilize ? { stabilize: true } : {}),
        tuningLog: (line) => process.stderr.write(`${line}\n`),
      }).finally(() => selected.close());
      await indexRunIfPresent(run.dir, (w) => process.stderr.write(`warning: ${w}\n`));
      process.stdout.write(`\n${renderResultTable(samples)}\n`);
      const suiteCompare = compareConfigOf(run.record.suite.resolved, `${run.dir}/run.json`);
      process.stdout.write(renderRunFlags({ id: run.id, samples }, (metric) => settingsFor(metric, [suiteCompare])));
      const notDone = run.record.cases.filter((c) => c.status !== 'completed');
      // Cases of a backend that cannot run here were announced once per backend (progress); not again per case.
      const unavailable = notDone.filter((c) => c.status === 'skipped' && c.error?.code === BACKEND_UNAVAILABLE);
      for (const c of notDone.filter((x) => !unavailable.includes(x))) process.stdout.write(`${c.id}: ${c.status}${c.error ? ` — ${c.error.message}` : ''}\n`);
      process.stdout.write(`\nresults: ${run.dir}\n`);
      if (resume) process.stderr.write(`resumed ${run.id}: ${run.record.resumes?.at(-1)?.cases ?? 0} case(s) run again\n`);
      if (run.record.status === 'interrupted') process.exitCode = 130;
      else if (notDone.some((c) => c.status === 'failed' || c.status === 'timed-out')) process.exitCode = 1;
      else if (unavailable.length > 0 && unavailable.length === run.record.cases.length) {
        // Nothing could run at all (e.g. `--backend kvm` on a host without usable KVM): not a success.
        process.stderr.write('no case of this run could run here: every backend it asks for is unavailable (see `hvbench doctor`)\n');
        process.exitCode = 1;
      }
    },
  );
}

function parseEventSource(text: string): EventSourceChoice {
  const found = EVENT_SOURCE_CHOICES.find((s) => s === text);
  if (found === undefined)
    throw new HvbError('usage', `--count-events: "${text}" is not an event source; expected one of ${EVENT_SOURCE_CHOICES.join(', ')}`, {
      hint: 'without a source, put --count-events after the suite file (it takes the word that follows it)',
    });
  return found;
}

/**
 * How the run counts: `--count-events [source]`, else what a resumed run recorded (it counts
 * the same way), else the suite's `countEvents`; nothing when none asks.
 */
function countingOf(
  given: boolean | EventSourceChoice | undefined,
  suite: boolean | EventSourceChoice | undefined,
  recorded: boolean | string | undefined,
): { countEvents?: boolean | EventSourceChoice } {
  if (typeof given === 'string') return { countEvents: given };
  if (recorded !== undefined && recorded !== false) return { countEvents: typeof recorded === 'string' ? parseEventSource(recorded) : true };
  if (given || suite) return { countEvents: typeof suite === 'string' ? suite : true };
  return {};
}
