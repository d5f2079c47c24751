/**
 * Benchmark of `hvbench history` over a long history (a figure, not a test): 1 000 synthetic
 * runs × 4 000 samples written as real run folders in a temporary folder, then `history`
 * of one metric read three ways, in this process: from the folders (no index), cold (the
 * index built from the folders, then read) and warm (the index up to date: the folders'
 * files checked, one query). Wall time and memory of each, and the index's size.
 *
 * A warm `history` is timed again in a process of its own (the heap of this one is full of
 * the index build's leftovers). `--dir` reuses a folder kept by `--keep` (its index rebuilt).
 *
 *   npm run bench:history [-- --runs 1000 --samples 4000 --keep --skip-scan --dir <kept folder>]
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Command } from 'commander';
import { registerHistory } from '../src/cli/commands/history.ts';
import { addStatsOptions, comparisonOptions, parseStatsOpts, type StatsOpts } from '../src/cli/stats-options.ts';
import { indexFile, openIndex } from '../src/results/index/db.ts';
import { indexedMetricSamples, indexedRuns } from '../src/results/index/query.ts';
import { indexRun, syncIndex } from '../src/results/index/sync.ts';
import { buildHistory, type HistoryRun } from '../src/stats/history.ts';
import { renderHistory } from '../src/stats/history-text.ts';
import { mulberry32, normalSampler } from '../src/stats/prng.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    samples: { type: 'string', default: '4000' },
    keep: { type: 'boolean' },
    'skip-scan': { type: 'boolean' },
    dir: { type: 'string' },
    'warm-child': { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const PER_RUN = Number(values.samples);
const BACKENDS = ['native', 'kvm', 'xen', 'tcg'];
const CONFIGS = 5;
const METRICS = 20;
const REPS = Math.max(1, Math.round(PER_RUN / (BACKENDS.length * CONFIGS * METRICS)));
const METRIC = 'bench.metric3_per_s';

async function writeRuns(dir: string): Promise<void> {
  const normal = normalSampler(mulberry32(7));
  const start = Date.UTC(2024, 0, 1);
  for (let r = 0; r < RUNS; r++) {
    const at = new Date(start + r * 86_400_000);
    const stamp = at.toISOString();
    const id = `${stamp.slice(0, 10).replaceAll('-', '')}-${stamp.slice(11, 19).replaceAll(':', '')}-nightly-${(r % 65536).toString(16).padStart(4, '0')}`;
    const runDir = path.join(dir, id);
    await mkdir(runDir);
    const cases = [];
    const lines: string[] = [];
    for (const backend of BACKENDS) {
      for (let c = 0; c < CONFIGS; c++) {
        const caseId = `${backend}/bench/size=${c}`;
        cases.push({
          id: caseId,
          backend,
          workload: 'bench',
          params: { size: c },
          status: 'completed',
          repetitions: REPS,
          warmup: 0,
          repetitionsDone: REPS,
          usage: [],
        });
        for (let rep = 1; rep <= REPS; rep++) {
          for (let m = 0; m < METRICS; m++) {
            const dims = {
              suite: 'nightly',
              run: id,
              case: caseId,
              backend,
              accel: backend === 'tcg' ? 'tcg' : backend,
              workload: 'bench',
              vcpus: 1,
              memory_mib: 512,
              rep,
              host: 'local',
              host_kind: 'local',
              host_cpu: 'AMD EPYC 7B13',
              image: '3f9c2a1b5e59b93e',
              guest_kernel: '6.1.0-18-amd64',
              qemu: '7.2.22',
              'param.size': c,
            };
            const value = Math.abs(1000 * (m + 1) * (1 + c) * (1 + 0.02 * normal()));
            lines.push(`${JSON.stringify({ metric: `bench.metric${m}_per_s`, value, unit: 'ops/s', better: 'higher', dims, ts: stamp })}\n`);
          }
        }
      }
    }
    const record = {
      format: 1,
      id,
      status: 'completed',
      startedAt: stamp,
      endedAt: stamp,
      suite: { name: 'nightly', file: 'suites/nightly.ts', resolved: {} },
      hvbench: { version: '0.1.0', revision: `rev${Math.floor(r / 3)}` },
      hosts: [{ name: 'local' }],
      backends: [],
      cases,
      samplesFile: 'samples.jsonl',
      writer: { hostname: 'bench', pid: 1 },
    };
    await writeFile(path.join(runDir, 'run.json'), `${JSON.stringify(record)}\n`);
    await writeFile(path.join(runDir, 'samples.jsonl'), lines.join(''));
  }
}

/** `hvbench history <dir> --metric METRIC [extra]` in this process; its output's length, wall time, peak RSS. */
async function history(dir: string, extra: string[]): Promise<{ seconds: number; rssMiB: number; chars: number }> {
  const program = new Command('hvbench').exitOverride();
  registerHistory(program);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  (process.stdout as { write: unknown }).write = (chunk: string) => {
    out += chunk;
    return true;
  };
  (process.stderr as { write: unknown }).write = () => true;
  const t0 = performance.now();
  try {
    await program.parseAsync(['node', 'hvbench', 'history', dir, '--metric', METRIC, '--no-fail', ...extra]);
  } finally {
    (process.stdout as { write: unknown }).write = write;
    (process.stderr as { write: unknown }).write = errWrite;
    clearInterval(timer);
  }
  const seconds = (performance.now() - t0) / 1000;
  peak = Math.max(peak, process.memoryUsage().rss);
  return { seconds, rssMiB: peak / 2 ** 20, chars: out.length };
}

/** The steps of a warm `history`, timed one by one (as the command does them, in this process). */
async function warmPhases(dir: string): Promise<[string, number][]> {
  const out: [string, number][] = [];
  let t0 = performance.now();
  const lap = (what: string) => {
    const now = performance.now();
    out.push([what, now - t0]);
    t0 = now;
  };
  const db = await openIndex(dir);
  let runs: HistoryRun[];
  try {
    lap('open');
    await syncIndex(db);
    lap('folders checked');
    const indexed = await indexedRuns(db, dir);
    lap('runs read');
    const packed = await indexedMetricSamples(
      db,
      indexed.map((r) => r.key),
      METRIC,
    );
    runs = indexed.map((r) => ({ id: r.id!, startedAt: r.startedAt!, revision: r.revision!, packed: packed.get(r.key)! }));
    lap(`${[...packed.values()].reduce((a, p) => a + p.value.length, 0)} samples read`);
  } finally {
    db.close();
  }
  const defaults = addStatsOptions(new Command()).parse([], { from: 'user' }).opts<StatsOpts>();
  const series = buildHistory(runs, { metric: METRIC, ...comparisonOptions(parseStatsOpts(defaults), undefined) });
  lap('grouping and statistics');
  renderHistory(series);
  lap('text');
  return out;
}

/**
 * Warm `history` as a user runs it: in a process of its own, whose heap holds nothing of the
 * index build before it (the modules loaded first, untimed, as they are before the command runs).
 */
async function freshWarm(dir: string): Promise<{ seconds: number; rssMiB: number; chars: number }[]> {
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--warm-child', dir], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { seconds: number; rssMiB: number; chars: number }[];
}

if (values['warm-child'] !== undefined) {
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await history(values['warm-child'], []));
  console.log(JSON.stringify(runs));
  process.exit(0);
}

const dir = values.dir ?? (await mkdtemp(path.join(os.tmpdir(), 'hvbench-history-')));
try {
  let t0 = performance.now();
  if (values.dir === undefined) {
    await writeRuns(dir);
    console.log(`${RUNS} runs × ${BACKENDS.length * CONFIGS * METRICS * REPS} samples written to ${dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } else {
    await rm(path.dirname(indexFile(dir)), { recursive: true, force: true });
    console.log(`the runs of ${dir} (a folder kept by --keep), their index removed`);
  }
  const line = (what: string, r: { seconds: number; rssMiB: number; chars: number }) =>
    console.log(`${what.padEnd(44)} ${r.seconds.toFixed(2).padStart(7)} s   peak RSS ${r.rssMiB.toFixed(0).padStart(5)} MiB   output ${r.chars} chars`);
  const scan = values['skip-scan'] ? undefined : await history(dir, ['--no-index']);
  if (scan) line('history, no index (every folder parsed)', scan);
  // Cold: the index is made with its first run (as `hvbench run` does at its end), the rest found by the reader.
  const first = (await import('node:fs/promises')).readdir(dir).then((n) => n.sort()[0]!);
  t0 = performance.now();
  await indexRun(dir, path.join(dir, await first));
  const cold = await history(dir, []);
  line('history, cold (index built from the folders)', { ...cold, seconds: (performance.now() - t0) / 1000 });
  const warm = await history(dir, []);
  line('history, warm (index up to date)', warm);
  const again = await history(dir, []);
  line('history, warm again', again);
  for (const [i, r] of (await freshWarm(dir)).entries()) line(`history, warm, a process of its own (${i + 1})`, r);
  // Where the warm time goes: the index opened, the folders checked against it, the runs and
  // the samples of the metric read, then grouping and statistics, then the text.
  const phases = await warmPhases(dir);
  console.log(`of which: ${phases.map(([what, ms]) => `${what} ${(ms / 1000).toFixed(2)} s`).join(', ')}`);
  if (scan && scan.chars !== warm.chars) console.log(`warning: the outputs differ in length (${scan.chars} and ${warm.chars} chars)`);
  const size = (await stat(indexFile(dir))).size;
  console.log(`index file ${(size / 2 ** 20).toFixed(0)} MiB; ${METRIC}: ${BACKENDS.length * CONFIGS} series × ${RUNS} points`);
} finally {
  if (values.keep || values.dir !== undefined) console.log(`kept ${dir}`);
  else await rm(dir, { recursive: true, force: true });
}
