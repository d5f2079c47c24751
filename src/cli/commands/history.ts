import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { readSamples } from '../../results/samples-file.ts';
import { hasIndex, type IndexDb, openIndex } from '../../results/index/db.ts';
import { countRuns, type FolderEntry } from '../../results/index/counted.ts';
import { packSamples } from '../../results/index/packed.ts';
import { indexedMetricNames, indexedMetricSamples, indexedRuns } from '../../results/index/query.ts';
import { syncIndex } from '../../results/index/sync.ts';
import { openRun, RUN_FILE, type StoredRun } from '../../results/store.ts';
import { buildHistory, latestRegressions, type HistoryRun } from '../../stats/history.ts';
import { renderHistory } from '../../stats/history-text.ts';
import { compareConfigOf, type CompareConfig } from '../../stats/thresholds.ts';
import { describeError, HvbError } from '../../util/errors.ts';
import { addStatsOptions, collect, comparisonOptions, parseStatsOpts, type StatsOpts } from '../stats-options.ts';

interface HistoryOpts extends StatsOpts {
  metric: string;
  per: string;
  where?: string[];
  fail: boolean;
  index: boolean;
}

export function registerHistory(program: Command): void {
  const cmd = program
    .command('history')
    .description('a metric across the runs in a results folder, with the runs where it changed flagged')
    .argument('<results-dir>', 'folder holding run folders (e.g. results)')
    .requiredOption('--metric <name>', 'the metric, e.g. cpu.events_per_s')
    .option('--per <unit>', 'one point per run, or per git revision (runs of a revision pooled)', 'run')
    .option('--where <dim=value>', 'only series with this dimension value (repeatable), e.g. backend=tcg', collect);
  addStatsOptions(cmd)
    .option('--no-fail', "exit 0 even when a series' newest point is a regression")
    .option('--no-index', 'read every run folder even when the results folder has an index (hvbench index)')
    .action(async (dir: string, opts: HistoryOpts) => {
      if (opts.per !== 'run' && opts.per !== 'revision') throw new HvbError('usage', `--per ${JSON.stringify(opts.per)}: expected run or revision`);
      const where = (opts.where ?? []).map(parseWhere);
      const { runs, warnings, suites, metrics } = opts.index ? await loadRunsIndexed(dir, opts.metric) : await loadRuns(dir);
      const stats = parseStatsOpts(opts);
      // The newest run's suite says which thresholds apply now.
      const suite = suites.at(-1);
      const series = buildHistory(runs, { metric: opts.metric, per: opts.per, where, ...comparisonOptions(stats, suite) });
      for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
      if (series.length === 0) {
        const known = await metrics();
        throw new HvbError(
          'usage',
          `no samples of metric ${JSON.stringify(opts.metric)}${where.length ? ' matching --where' : ''} in the ${runs.length} runs under ${dir}`,
          {
            hint: known.length ? `metrics found: ${known.join(', ')}` : 'the folder holds no samples',
          },
        );
      }
      process.stdout.write(
        opts.json ? `${JSON.stringify({ format: 1, metric: opts.metric, per: opts.per, seed: stats.seed, series }, null, 2)}\n` : renderHistory(series),
      );
      // A gate on the newest point only: a regression further back is history, not news.
      if (latestRegressions(series).length > 0 && opts.fail) process.exitCode = 1;
    });
}

function parseWhere(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new HvbError('usage', `--where ${JSON.stringify(text)}: expected <dim>=<value>, e.g. backend=tcg`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/**
 * Every run folder directly under `dir`, oldest first; unreadable ones become warnings, and
 * copies and merged shards are left out as countRuns says.
 */
async function loadRuns(dir: string): Promise<LoadedRuns> {
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    throw new HvbError('usage', `${dir}: cannot read the results folder (${e.code ?? e.message})`, {
      hint: 'give the folder that holds the run folders, e.g. results',
    });
  });
  const folders: (FolderEntry & { run?: StoredRun })[] = [];
  for (const name of names.sort()) {
    const runDir = path.join(dir, name);
    if (!(await stat(path.join(runDir, RUN_FILE)).catch(() => undefined))?.isFile()) continue;
    try {
      const run = await openRun(runDir);
      folders.push({ dir: runDir, id: run.id, mergedShards: (run.record.merged?.shards ?? []).map((s) => s.run), run });
    } catch (e) {
      folders.push({ dir: runDir, mergedShards: [], error: `${runDir}: skipped: ${describeError(e)}` });
    }
  }
  const { runs, warnings } = await countRuns(folders, async ({ run, dir: runDir }, warn): Promise<LoadedRun> => {
    const { samples, warnings: w } = await readSamples(run!);
    warn(...run!.warnings, ...w);
    const rev = run!.record.hvbench;
    return {
      id: run!.id,
      startedAt: run!.record.startedAt,
      revision: rev?.revision ?? 'unknown',
      ...(rev?.dirty ? { dirty: true } : {}),
      samples,
      suite: compareConfigOf(run!.record.suite.resolved, runDir),
    };
  });
  runs.sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
  const metrics = async () => [...new Set(runs.flatMap((r) => (r.samples ?? []).map((s) => s.metric)))].sort();
  return { runs, warnings, suites: runs.map((r) => r.suite), metrics };
}

type LoadedRun = HistoryRun & { suite: CompareConfig | undefined };

interface LoadedRuns {
  runs: HistoryRun[];
  warnings: string[];
  suites: (CompareConfig | undefined)[];
  /** Every metric of the runs counted, sorted (for the message when the one asked for is missing). */
  metrics: () => Promise<string[]>;
}

/**
 * The same runs, warnings and order as loadRuns, from the results folder's index when it has
 * one (brought up to date with the folders first), with only the samples of `metric`. Without
 * an index, or while another process holds it, the folders are read as by loadRuns.
 */
async function loadRunsIndexed(dir: string, metric: string): Promise<LoadedRuns> {
  if (!(await hasIndex(dir))) return loadRuns(dir);
  try {
    return await fromIndex(dir, metric);
  } catch (e) {
    // The folders are the truth: an index that cannot be used (held by another process, a
    // read-only results folder) only costs the time of reading them.
    const loaded = await loadRuns(dir);
    if (!(e instanceof HvbError && e.code === 'index-busy'))
      loaded.warnings.unshift(`the results index of ${dir} was not used (${describeError(e)}); read the run folders`);
    return loaded;
  }
}

async function fromIndex(dir: string, metric: string): Promise<LoadedRuns> {
  const db: IndexDb = await openIndex(dir);
  try {
    await syncIndex(db);
    const { runs, warnings } = await countRuns(await indexedRuns(db, dir), async (r, warn): Promise<LoadedRun & { key: number }> => {
      // What openRun says of a run still running (or cut short) depends on the moment: asked now.
      const running =
        r.status === 'running'
          ? await openRun(r.dir).then(
              (o) => o.warnings,
              () => [],
            )
          : [];
      warn(...running, ...r.warnings);
      return {
        key: r.key,
        id: r.id!,
        startedAt: r.startedAt!,
        revision: r.revision ?? 'unknown',
        ...(r.dirty ? { dirty: true } : {}),
        suite: compareConfigOf(r.suiteResolved, r.dir),
      };
    });
    const packed = await indexedMetricSamples(
      db,
      runs.map((r) => r.key),
      metric,
    );
    for (const r of runs) {
      const p = packed.get(r.key);
      r.packed = p ?? packSamples(metric, []);
    }
    runs.sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
    // The metric list is asked for only when nothing matched, after the index is closed: read now (a small table).
    const known = await indexedMetricNames(
      db,
      runs.map((r) => r.key),
    );
    return { runs, warnings, suites: runs.map((r) => r.suite), metrics: async () => known };
  } finally {
    db.close();
  }
}
