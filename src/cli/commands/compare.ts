import type { Command } from 'commander';
import { baselineFolder } from '../../results/index/baseline-query.ts';
import type { Sample } from '../../results/sample.ts';
import { readSamples } from '../../results/samples-file.ts';
import { openRun, type StoredRun } from '../../results/store.ts';
import { compareRuns, compareWithin, type CompareReport, type CompareReportOptions } from '../../stats/compare-report.ts';
import { renderCompareMarkdown } from '../../stats/compare-markdown.ts';
import { renderCompare } from '../../stats/compare-text.ts';
import { byValue, differingDims } from '../../stats/series.ts';
import { compareConfigOf } from '../../stats/thresholds.ts';
import { HvbError } from '../../util/errors.ts';
import { compareEquivalence, enforceEquivalence } from '../equivalence.ts';
import { addStatsOptions, collect, comparisonOptions, parseStatsOpts, splitList, type StatsOpts } from '../stats-options.ts';

interface CompareOpts extends StatsOpts {
  by?: string;
  reference?: string;
  metric?: string[];
  markdown?: boolean;
  fail: boolean;
  strict?: boolean;
  results?: string;
}

export function registerCompare(program: Command): void {
  const cmd = program
    .command('compare')
    .description('compare a run with a baseline run (a regression gate: exit 1 on a regression), or, given one run, its backends with a reference')
    .argument('<run>', 'the run under test (B): a run folder or a run id under results/')
    .argument(
      '[baseline]',
      'the baseline run (A), or a query: latest (the newest completed run of the same suite before <run>), latest:<suite>, latest:<suite>@<host>; without it, values of --by are compared within <run>',
    )
    .option('--results <dir>', 'where a baseline query looks (default: the folder holding <run>)')
    .option('--by <dim>', 'with one run: the dimension whose values are compared (default backend)')
    .option('--reference <value>', 'with one run: the value of --by the others are compared against (default native, when present)')
    .option('--metric <names>', 'only these metrics (comma-separated, repeatable)', collect);
  addStatsOptions(cmd)
    .option('--markdown', 'the changes only, largest first, as a Markdown table (for a pull-request comment)')
    .option('--no-fail', 'exit 0 even when a regression is found')
    .option('--strict', "refuse (exit 1) when the sides' guests differ in more than what is compared (their equivalence manifests), naming the fields")
    .action(async (ref: string, baselineRef: string | undefined, opts: CompareOpts) => {
      const runB = await open(ref);
      const runA = baselineRef === undefined ? undefined : await open(await baselineFolder(baselineRef, runB.run, opts.results));
      if (opts.json && opts.markdown) throw new HvbError('usage', '--json and --markdown: choose one output format');
      const stats = parseStatsOpts(opts);
      const suite = compareConfigOf(runB.run.record.suite.resolved, `${runB.run.dir}/run.json`);
      const options: CompareReportOptions = { ...comparisonOptions(stats, suite), metrics: splitList(opts.metric ?? []) };
      const report = runA ? againstBaseline(runA, runB, opts, options) : withinRun(runB, opts, options);
      report.equivalence = compareEquivalence(report, (runA ?? runB).run.record, runB.run.record);
      const equivalence = enforceEquivalence(report.equivalence, opts.strict === true, report.mode === 'by' ? (report.by ?? 'backend') : 'run');
      for (const n of equivalence.notes) process.stderr.write(`note: ${n}\n`);
      for (const w of equivalence.warnings) process.stderr.write(`warning: ${w}\n`);
      for (const w of [...runB.warnings, ...(runA?.warnings ?? []), ...report.warnings]) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : opts.markdown ? renderCompareMarkdown(report) : renderCompare(report));
      // Only the gate fails a job, and only on a regression: never on "not computable", and
      // never for a backend comparison within one run (a description, not a gate).
      if (report.mode === 'runs' && (report.counts.regression ?? 0) > 0 && opts.fail) process.exitCode = 1;
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
    throw new HvbError(
      'usage',
      `nothing to compare: no series of ${b.run.id} matches one of ${a.run.id}${diff.length ? `; dimensions that differ: ${diff.join('; ')}` : ' (one of them has no samples)'}`,
      {
        hint: 'compare runs of the same suite on the same host, or leave a dimension out of matching with --ignore <dim>',
      },
    );
  }
  return report;
}

function withinRun(run: Opened, opts: CompareOpts, options: CompareReportOptions): CompareReport {
  const by = opts.by ?? 'backend';
  // By a variant dimension (backend), the values are whole variants: `xen pv` and `xen pvh` apart.
  const values = [...new Set(run.samples.map((s) => byValue(s.dims, by)).filter((v) => v !== undefined))].sort();
  if (values.length === 0)
    throw new HvbError('usage', `${run.run.id}: no sample has the dimension "${by}"`, { hint: 'choose --by among the dimensions `hvbench export csv` shows' });
  const reference = opts.reference ?? (by === 'backend' && values.includes('native') ? 'native' : undefined);
  if (reference === undefined) {
    throw new HvbError('usage', `${run.run.id}: which ${by} is the reference? expected --reference with one of: ${values.join(', ')}`, {
      hint: 'or give a baseline run as the second argument',
    });
  }
  if (!values.includes(reference))
    throw new HvbError('usage', `--reference ${JSON.stringify(reference)}: ${run.run.id} has no ${by} of that value; it has: ${values.join(', ')}`);
  if (values.length < 2) throw new HvbError('usage', `${run.run.id}: every sample has ${by} ${reference}; nothing to compare it with`);
  const report = compareWithin({ id: run.run.id, samples: run.samples }, by, reference, options);
  if (report.rows.length === 0)
    throw new HvbError('usage', `${run.run.id}: no series of another ${by} matches one of ${by} ${reference}`, {
      hint: 'the cases of each value must have the same workload, parameters and guest',
    });
  return report;
}
