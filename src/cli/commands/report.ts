import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { cachePaths, defaultCacheDir, MANIFEST_FILE } from '../../guest/cache.ts';
import { parseManifest } from '../../guest/manifest.ts';
import { baselineFolder } from '../../results/index/baseline-query.ts';
import { readSamples } from '../../results/samples-file.ts';
import { openRun } from '../../results/store.ts';
import { buildReport } from '../../report/build.ts';
import { REPORT_PERMUTATIONS, type ImagePackages, type ReportRun } from '../../report/input.ts';
import { writeReport } from '../../report/write.ts';
import { FIGURE_SIZES, type FigureSize } from '../../report/specs/size.ts';
import { overviewText } from '../../report/tables/overview-text.ts';
import { compareConfigOf, settingsFor } from '../../stats/thresholds.ts';
import { HvbError } from '../../util/errors.ts';
import { enforceEquivalence, reportEquivalence } from '../equivalence.ts';
import { checkOutDir } from '../out-dir.ts';
import { addStatsOptions, parseStatsOpts, type StatsOpts } from '../stats-options.ts';

interface ReportOpts extends StatsOpts {
  baseline?: string;
  out?: string;
  reference?: string;
  title?: string;
  figures: boolean;
  figureSize: string;
  strict?: boolean;
}

export function registerReport(program: Command): void {
  const cmd = program
    .command('report')
    .description('write a report folder: a self-contained HTML page, Vega-Lite specs, SVG and PNG figures, Markdown and LaTeX tables')
    .argument('<runs...>', 'runs to report on (folders or run ids under results/); their samples are pooled')
    .option(
      '--baseline <run>',
      'a baseline run: the comparison (forest plot) is the runs against it; or a query, as compare takes it: latest, latest:<suite>, latest:<suite>@<host> (before the newest run under report, among the runs of its results folder, from its index when it has one)',
    )
    .option('--out <dir>', 'the report folder (default reports/<first run id>)')
    .option(
      '--reference <backend>',
      'normalise bars to this backend (or "xen pvh"-style variant); "none" shows values in their units (default native, when present)',
    )
    .option('--title <text>', 'page title')
    .option('--no-figures', 'skip the SVG and PNG files (the page draws its charts itself)')
    .option(
      '--strict',
      "refuse (exit 1, nothing written) when the backends' guests differ in more than the backend (their equivalence manifests), naming the fields",
    )
    .option(
      '--figure-size <preset>',
      `size of the SVG/PNG figures: ${FIGURE_SIZES.join(', ')} (column and page: a two-column paper's widths, PNG at 300 dpi)`,
      'screen',
    );
  addStatsOptions(cmd);
  // The report's own default (see REPORT_PERMUTATIONS), in the help too.
  const permutationsOption = cmd.options.find((o) => o.long === '--permutations');
  if (permutationsOption) permutationsOption.defaultValue = String(REPORT_PERMUTATIONS);
  cmd.setOptionValueWithSource('permutations', String(REPORT_PERMUTATIONS), 'default');
  cmd.action(async (refs: string[], opts: ReportOpts) => {
    const started = performance.now();
    // A given --out is checked before any run is read; the default one (named by the run id) after.
    if (opts.out !== undefined) await checkOutDir(opts.out, { noLinksInside: true });
    const opened = await Promise.all(refs.map(open));
    const runs = opened.map((o) => o.run);
    const ids = new Set<string>();
    for (const r of runs) {
      if (ids.has(r.record.id)) throw new HvbError('usage', `run ${r.record.id} is given twice`, { hint: 'give each run once' });
      ids.add(r.record.id);
    }
    // The newest run: its suite's thresholds apply, and a baseline query looks before it.
    const newest = opened.reduce((a, b) => (a.run.record.startedAt >= b.run.record.startedAt ? a : b));
    const baseline =
      opts.baseline === undefined ? undefined : (await open(await baselineFolder(opts.baseline, { dir: newest.dir, record: newest.run.record }))).run;
    if (baseline && ids.has(baseline.record.id)) throw new HvbError('usage', `--baseline ${opts.baseline}: that run is also one of the runs under report`);
    const { cli, ignore, seed, permutations, ratioCi } = parseStatsOpts(opts);
    // What each side's guest got (the cases' manifests): checked, or with --strict enforced, before anything is written.
    const reference = opts.reference === 'none' ? null : opts.reference;
    const equivalence = enforceEquivalence(reportEquivalence(runs, baseline, reference, ignore), opts.strict === true, baseline ? 'run' : 'backend');
    const suite = compareConfigOf(newest.run.record.suite.resolved, path.join(refs[opened.indexOf(newest)]!, 'run.json'));
    const model = buildReport({
      runs,
      ...(baseline ? { baseline } : {}),
      reference: opts.reference === undefined ? undefined : opts.reference === 'none' ? null : opts.reference,
      images: await imagePackages([...runs, ...(baseline ? [baseline] : [])]),
      settings: (metric) => settingsFor(metric, [suite, cli]),
      ignore,
      seed,
      permutations,
      ratioCi,
      ...(opts.title === undefined ? {} : { title: opts.title }),
      generatedAt: new Date().toISOString(),
    });
    for (const text of equivalence.warnings) model.warnings.push({ kind: 'equivalence', text });
    for (const text of equivalence.notes) model.warnings.push({ kind: 'note', text });
    // The run id passed the strict run-id pattern when run.json was read: a name, never a path.
    const out = opts.out ?? path.join('reports', runs[0]!.record.id);
    if (opts.out === undefined) await checkOutDir(out, { noLinksInside: true });
    const written = await writeReport(model, out, { figures: opts.figures, figureSize: figureSize(opts.figureSize) });
    const seconds = (performance.now() - started) / 1000;
    // The terminal gets what needs attention; notes on metrics and outliers are on the page.
    for (const w of model.warnings) if (w.kind !== 'outlier' && w.kind !== 'note') process.stderr.write(`warning: ${w.text}\n`);
    const onPage = model.warnings.filter((w) => w.kind === 'outlier' || w.kind === 'note').length;
    if (onPage > 0 && !opts.json) process.stderr.write(`${onPage} more note(s) on the page (metrics not normalised, outliers): see its Warnings section\n`);
    if (opts.json) {
      process.stdout.write(
        `${JSON.stringify({ format: 1, dir: written.dir, files: written.files, pageBytes: written.pageBytes, charts: model.charts.map((c) => c.id), warnings: model.warnings, seconds }, null, 2)}\n`,
      );
    } else {
      if (model.overview) process.stdout.write(`${overviewText(model.overview)}\n`);
      process.stdout.write(
        `report written to ${path.join(written.dir, 'index.html')}: ${model.charts.length} charts, ${written.files.length} files, page ${(written.pageBytes / 1024).toFixed(0)} KiB, ${model.warnings.length} warnings, ${seconds.toFixed(1)} s\n`,
      );
    }
  });
}

async function open(ref: string): Promise<{ run: ReportRun; dir: string }> {
  const run = await openRun(ref);
  const { samples, warnings } = await readSamples(run);
  return { run: { record: run.record, samples, warnings: [...run.warnings, ...warnings] }, dir: run.dir };
}

/** The package lists of the runs' guest images, from the manifests the image cache still has. */
async function imagePackages(runs: readonly ReportRun[]): Promise<ImagePackages[]> {
  const ids = [...new Set(runs.map((r) => r.record.image?.id).filter((id): id is string => id !== undefined))];
  const found = await Promise.all(
    ids.map(async (id): Promise<ImagePackages | undefined> => {
      const file = path.join(cachePaths.image(defaultCacheDir(), id), MANIFEST_FILE);
      try {
        const manifest = parseManifest(JSON.parse(await readFile(file, 'utf8')), file);
        return { id, packages: manifest.packages.map((p) => ({ name: p.name, version: p.version, role: p.role })) };
      } catch {
        return undefined; // not built on this machine (or removed): the methodology says so
      }
    }),
  );
  return found.filter((f): f is ImagePackages => f !== undefined);
}

function figureSize(text: string): FigureSize {
  if ((FIGURE_SIZES as readonly string[]).includes(text)) return text as FigureSize;
  throw new HvbError('usage', `--figure-size ${JSON.stringify(text)}: expected one of ${FIGURE_SIZES.join(', ')}`);
}
