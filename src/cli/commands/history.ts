import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { readSamples } from '../../results/samples-file.ts';
import { hasIndex, type IndexDb, openIndex } from '../../results/index/db.ts';
import { indexedMetrics, indexedRuns, indexedSamples } from '../../results/index/query.ts';
import { syncIndex } from '../../results/index/sync.ts';
import { openRun, RUN_FILE } from '../../results/store.ts';
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
      const filtered = runs.map((r) => ({ ...r, samples: r.samples.filter((s) => where.every(([k, v]) => String(s.dims[k]) === v)) }));
      const series = buildHistory(filtered, { metric: opts.metric, per: opts.per, ...comparisonOptions(stats, suite) });
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
 * Every run folder directly under `dir`, oldest first; unreadable ones become warnings. A
 * run id seen twice (a `cp -r` backup) is one run: the first folder (by name) counts, the
 * other is skipped with a warning, never pooled with it. So is a shard whose merged run
 * (`hvbench merge`) is in the folder too: its samples count once, in the merged run.
 */
async function loadRuns(dir: string): Promise<LoadedRuns> {
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    throw new HvbError('usage', `${dir}: cannot read the results folder (${e.code ?? e.message})`, {
      hint: 'give the folder that holds the run folders, e.g. results',
    });
  });
  const runs: (HistoryRun & { suite: CompareConfig | undefined })[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  const mergedInto = new Map<string, string>();
  for (const name of names.sort()) {
    const runDir = path.join(dir, name);
    if (!(await stat(path.join(runDir, RUN_FILE)).catch(() => undefined))?.isFile()) continue;
    try {
      const run = await openRun(runDir);
      const first = seen.get(run.id);
      if (first !== undefined) {
        warnings.push(`${runDir}: skipped: the same run id ${run.id} as ${first} (a copy?); a run counts once`);
        continue;
      }
      seen.set(run.id, runDir);
      for (const s of run.record.merged?.shards ?? []) mergedInto.set(s.run, run.id);
      const { samples, warnings: w } = await readSamples(run);
      warnings.push(...run.warnings, ...w);
      const rev = run.record.hvbench;
      runs.push({
        id: run.id,
        startedAt: run.record.startedAt,
        revision: rev?.revision ?? 'unknown',
        ...(rev?.dirty ? { dirty: true } : {}),
        samples,
        suite: compareConfigOf(run.record.suite.resolved, runDir),
      });
    } catch (e) {
      warnings.push(`${runDir}: skipped: ${describeError(e)}`);
    }
  }
  const counted = runs.filter((r) => !mergedInto.has(r.id));
  for (const r of runs)
    if (mergedInto.has(r.id)) warnings.push(`${seen.get(r.id)}: skipped: a shard of the merged run ${mergedInto.get(r.id)}, whose samples count`);
  counted.sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
  const metrics = async () => [...new Set(counted.flatMap((r) => r.samples.map((s) => s.metric)))].sort();
  return { runs: counted, warnings, suites: counted.map((r) => r.suite), metrics };
}

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
    const runs: (HistoryRun & { suite: CompareConfig | undefined; key: number })[] = [];
    const warnings: string[] = [];
    const seen = new Map<string, string>();
    const mergedInto = new Map<string, string>();
    for (const r of await indexedRuns(db, dir)) {
      if (r.id === undefined) {
        warnings.push(r.error ?? `${r.dir}: skipped`);
        continue;
      }
      // As loadRuns: a run id seen before is a copy, whatever else is wrong with it.
      const first = seen.get(r.id);
      if (first !== undefined) {
        warnings.push(`${r.dir}: skipped: the same run id ${r.id} as ${first} (a copy?); a run counts once`);
        continue;
      }
      seen.set(r.id, r.dir);
      for (const shard of r.mergedShards) mergedInto.set(shard, r.id);
      if (r.error !== undefined) {
        warnings.push(r.error);
        continue;
      }
      const running =
        r.status === 'running'
          ? await openRun(r.dir).then(
              (o) => o.warnings,
              () => [],
            )
          : [];
      warnings.push(...running, ...r.warnings);
      try {
        runs.push({
          key: r.key,
          id: r.id,
          startedAt: r.startedAt!,
          revision: r.revision ?? 'unknown',
          ...(r.dirty ? { dirty: true } : {}),
          samples: [],
          suite: compareConfigOf(r.suiteResolved, r.dir),
        });
      } catch (e) {
        warnings.push(`${r.dir}: skipped: ${describeError(e)}`);
      }
    }
    const counted = runs.filter((r) => !mergedInto.has(r.id));
    for (const r of runs)
      if (mergedInto.has(r.id)) warnings.push(`${seen.get(r.id)}: skipped: a shard of the merged run ${mergedInto.get(r.id)}, whose samples count`);
    const samples = await indexedSamples(
      db,
      counted.map((r) => r.key),
      metric,
    );
    for (const r of counted) r.samples = samples.get(r.key) ?? [];
    counted.sort((a, b) => (a.startedAt < b.startedAt ? -1 : 1));
    const kept = new Set(counted.map((r) => r.key));
    const metrics = async () => {
      const perRun = await indexedMetrics(db);
      return [...new Set([...perRun].filter(([k]) => kept.has(k)).flatMap(([, m]) => m))].sort();
    };
    // The metric list is asked for only when nothing matched: read it before the index closes.
    const known = counted.some((r) => r.samples.length > 0) ? [] : await metrics();
    return { runs: counted, warnings, suites: counted.map((r) => r.suite), metrics: async () => known };
  } finally {
    db.close();
  }
}
