import type { Command } from 'commander';
import type { Sample } from '../../results/sample.ts';
import { readSamples } from '../../results/samples-file.ts';
import { openRun, type StoredRun } from '../../results/store.ts';
import type { RatioCiMethod } from '../../stats/compare.ts';
import { compareRuns, compareWithin, type CompareReport, type CompareReportOptions } from '../../stats/compare-report.ts';
import { renderCompare } from '../../stats/compare-text.ts';
import { DEFAULT_PERMUTATIONS } from '../../stats/permutation.ts';
import { DEFAULT_SEED } from '../../stats/prng.ts';
import { DEFAULT_IGNORED_DIMS, differingDims } from '../../stats/series.ts';
import { compareConfigOf, parseSettingOption, settingsFor, type CompareConfig } from '../../stats/thresholds.ts';
import { HvbError } from '../../util/errors.ts';

interface CompareOpts {
  by?: string;
  reference?: string;
  metric?: string[];
  alpha?: string[];
  threshold?: string[];
  ignore?: string[];
  permutations: string;
  seed: string;
  ci: string;
  json?: boolean;
  fail: boolean;
}

export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare a run with a baseline run (or, given one run, its backends with a reference); exit 1 on a regression')
    .argument('<run>', 'the run under test (B): a run folder or a run id under results/')
    .argument('[baseline]', 'the baseline run (A); without it, values of --by are compared within <run>')
    .option('--by <dim>', 'with one run: the dimension whose values are compared (default backend)')
    .option('--reference <value>', 'with one run: the value of --by the others are compared against (default native, when present)')
    .option('--metric <names>', 'only these metrics (comma-separated, repeatable)', collect)
    .option('--alpha <p>', 'significance level, or <metric>=<p> for one metric (default 0.01; repeatable)', collect)
    .option('--threshold <fraction>', 'noise threshold, e.g. 0.05 or 5%, or <metric>=<fraction> (default 5%; repeatable)', collect)
    .option('--ignore <dims>', 'more dimensions to leave out of matching (comma-separated, repeatable)', collect)
    .option('--permutations <n>', 'random relabellings of the permutation test', String(DEFAULT_PERMUTATIONS))
    .option('--seed <n>', 'seed of the permutation test (and the bootstrap), recorded in the output', String(DEFAULT_SEED))
    .option('--ci <method>', 'interval of B/A: log-t or bootstrap', 'log-t')
    .option('--json', 'machine-readable output')
    .option('--no-fail', 'exit 0 even when a regression is found')
    .action(async (ref: string, baselineRef: string | undefined, opts: CompareOpts) => {
      const runB = await open(ref);
      const runA = baselineRef === undefined ? undefined : await open(baselineRef);
      const cli = parseCliConfig(opts);
      const suite = compareConfigOf(runB.run.record.suite.resolved, `${runB.run.dir}/run.json`);
      const options: CompareReportOptions = {
        ignore: new Set([...DEFAULT_IGNORED_DIMS, ...splitList(opts.ignore ?? [])]),
        settings: (metric) => settingsFor(metric, [suite, cli]),
        seed: positiveInt(opts.seed, '--seed', 0),
        permutations: positiveInt(opts.permutations, '--permutations', 1),
        ratioCi: ciMethod(opts.ci),
        metrics: splitList(opts.metric ?? []),
      };
      const report = runA ? againstBaseline(runA, runB, opts, options) : withinRun(runB, opts, options);
      for (const w of [...runB.warnings, ...(runA?.warnings ?? []), ...report.warnings]) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : renderCompare(report));
      if (report.counts.regression > 0 && opts.fail) process.exitCode = 1;
    });
}

interface Opened {
  run: StoredRun;
  samples: Sample[];
  warnings: string[];
}

async function open(ref: string): Promise<Opened> {
  const run = await openRun(ref);
  const { samples, warnings } = await readSamples(run);
  return { run, samples, warnings: [...run.warnings, ...warnings] };
}

function againstBaseline(a: Opened, b: Opened, opts: CompareOpts, options: CompareReportOptions): CompareReport {
  if (opts.by !== undefined || opts.reference !== undefined) {
    throw new HvbError('usage', '--by and --reference compare values within one run; with a baseline run, give only the two runs', {
      hint: 'hvbench compare <run> <baseline>, or hvbench compare <run> --by backend --reference native',
    });
  }
  const report = compareRuns({ id: a.run.id, samples: a.samples }, { id: b.run.id, samples: b.samples }, options);
  if (report.rows.length === 0) {
    const diff = differingDims(a.samples, b.samples, options.ignore);
    throw new HvbError('usage', `nothing to compare: no series of ${b.run.id} matches one of ${a.run.id}${diff.length ? `; dimensions that differ: ${diff.join('; ')}` : ' (one of them has no samples)'}`, {
      hint: 'compare runs of the same suite on the same host, or leave a dimension out of matching with --ignore <dim>',
    });
  }
  return report;
}

function withinRun(run: Opened, opts: CompareOpts, options: CompareReportOptions): CompareReport {
  const by = opts.by ?? 'backend';
  const values = [...new Set(run.samples.map((s) => s.dims[by]).filter((v) => v !== undefined).map(String))].sort();
  if (values.length === 0) throw new HvbError('usage', `${run.run.id}: no sample has the dimension "${by}"`, { hint: 'choose --by among the dimensions `hvbench export csv` shows' });
  const reference = opts.reference ?? (by === 'backend' && values.includes('native') ? 'native' : undefined);
  if (reference === undefined) {
    throw new HvbError('usage', `${run.run.id}: which ${by} is the reference? expected --reference with one of: ${values.join(', ')}`, { hint: 'or give a baseline run as the second argument' });
  }
  if (!values.includes(reference)) throw new HvbError('usage', `--reference ${JSON.stringify(reference)}: ${run.run.id} has no ${by} of that value; it has: ${values.join(', ')}`);
  if (values.length < 2) throw new HvbError('usage', `${run.run.id}: every sample has ${by} ${reference}; nothing to compare it with`);
  const report = compareWithin({ id: run.run.id, samples: run.samples }, by, reference, options);
  if (report.rows.length === 0) throw new HvbError('usage', `${run.run.id}: no series of another ${by} matches one of ${by} ${reference}`, { hint: 'the cases of each value must have the same workload, parameters and guest' });
  return report;
}

function parseCliConfig(opts: CompareOpts): CompareConfig {
  let config: CompareConfig = {};
  for (const a of opts.alpha ?? []) config = parseSettingOption(a, 'alpha', config);
  for (const t of opts.threshold ?? []) config = parseSettingOption(t, 'noiseThreshold', config);
  return config;
}

export function splitList(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

export function positiveInt(text: string, option: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > 0xffffffff) throw new HvbError('usage', `${option} ${JSON.stringify(text)}: expected an integer ≥ ${min}`);
  return n;
}

export function ciMethod(text: string): RatioCiMethod {
  if (text === 'log-t' || text === 'bootstrap') return text;
  throw new HvbError('usage', `--ci ${JSON.stringify(text)}: expected log-t or bootstrap`);
}
