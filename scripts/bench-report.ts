/**
 * Benchmark of `hvbench report` itself (a figure, not a test): a report from 100 000
 * synthetic samples — 4 backends, 25 metrics, 4 configurations each, 250 repetitions —
 * timed from the samples to every file on disk, and the size of the page.
 *
 *   npm run bench:report [-- --samples 100000 --out reports/bench]
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildReport } from '../src/report/build.ts';
import { REPORT_PERMUTATIONS, type ReportRun } from '../src/report/input.ts';
import { writeReport } from '../src/report/write.ts';
import type { Sample } from '../src/results/sample.ts';
import { mulberry32, normalSampler } from '../src/stats/prng.ts';

const { values } = parseArgs({ options: { samples: { type: 'string', default: '100000' }, out: { type: 'string' } } });
const target = Number(values.samples);
const BACKENDS = [
  { backend: 'native', speed: 1 },
  { backend: 'kvm', speed: 0.96 },
  { backend: 'xen', speed: 0.92 },
  { backend: 'tcg', speed: 0.18 },
];
const METRICS = 25;
const CONFIGS = 4;
const reps = Math.max(2, Math.round(target / (BACKENDS.length * METRICS * CONFIGS)));
const id = '20260101-000000-bench-0000';

function synthetic(): Sample[] {
  const normal = normalSampler(mulberry32(42));
  const out: Sample[] = [];
  for (let m = 0; m < METRICS; m++) {
    const micro = m < 5;
    const metric = micro ? `micro.op${m}_ns` : `bench.metric${m}_per_s`;
    for (const b of BACKENDS) {
      for (let c = 0; c < CONFIGS; c++) {
        const mean = micro ? (50 * (m + 1)) / b.speed : 1000 * (c + 1) * b.speed;
        for (let rep = 1; rep <= reps; rep++) {
          out.push({
            metric,
            value: Math.max(1e-6, mean * (1 + 0.03 * normal())),
            unit: micro ? 'ns' : 'ops/s',
            better: micro ? 'lower' : 'higher',
            dims: {
              suite: 'bench',
              run: id,
              case: `${b.backend}/w${m}/threads=${c + 1}`,
              backend: b.backend,
              workload: micro ? 'micro' : `w${m}`,
              rep,
              host: 'local',
              'param.threads': c + 1,
            },
            ts: '2026-01-01T00:00:00.000Z',
          });
        }
      }
    }
  }
  return out;
}

const samples = synthetic();
const run: ReportRun = {
  record: {
    format: 1,
    id,
    status: 'completed',
    startedAt: '2026-01-01T00:00:00.000Z',
    suite: { name: 'bench', file: 'synthetic', resolved: { repetitions: reps } },
    hvbench: { version: '0', revision: 'unknown' },
    hosts: [],
    backends: [],
    cases: [],
    samplesFile: 'samples.jsonl',
    writer: { hostname: 'bench', pid: 0 },
  },
  samples,
  warnings: [],
};
const out = values.out ?? (await mkdtemp(path.join(os.tmpdir(), 'hvb-bench-report-')));
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** CPU time of the main thread alone (Linux: /proc/self/task/<pid>/stat, in clock ticks of 10 ms); undefined elsewhere. */
const mainCpuMs = (): number | undefined => {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
};
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const c0 = cpuMs();
const t0 = performance.now();
const model = buildReport({
  runs: [run],
  settings: () => ({ alpha: 0.01, noiseThreshold: 0.05 }),
  seed: 1,
  permutations: REPORT_PERMUTATIONS,
  ratioCi: 'log-t',
  generatedAt: new Date().toISOString(),
});
const t1 = performance.now();
const c1 = cpuMs();
const written = await writeReport(model, out, { figures: false });
const t2 = performance.now();
const c2 = cpuMs();
const m2 = mainCpuMs();
const withFigures = await writeReport(model, path.join(out, 'with-figures'));
const t3 = performance.now();
const c3 = cpuMs();
const m3 = mainCpuMs();
const fig = withFigures.timings.figures!;
const pngs = withFigures.files.filter((f) => f.endsWith('.png')).length;
console.log(
  `samples: ${samples.length} (${BACKENDS.length} backends × ${METRICS} metrics × ${CONFIGS} configurations × ${reps} repetitions); ${model.charts.length} charts`,
);
console.log(
  `machine: ${os.availableParallelism()} CPUs, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (wall time suffers when the machine is busy)`,
);
console.log(`                                        wall      CPU of this process`);
console.log(`build (statistics, comparison, specs)  ${s(t1 - t0).padStart(7)}   ${s(c1 - c0).padStart(7)}`);
console.log(`page + specs + tables                  ${s(t2 - t1).padStart(7)}   ${s(c2 - c1).padStart(7)}`);
console.log(`all of it with SVG + PNG of ${String(pngs).padStart(2)} charts  ${s(t3 - t2).padStart(7)}   ${s(c3 - c2).padStart(7)}`);
console.log(`  of which vega (main thread)          ${s(fig.svgMs).padStart(7)}`);
console.log(`  of which resvg (thread pool, summed) ${s(fig.pngMs).padStart(7)}   (overlaps vega)`);
console.log(`  of which page + tables after figures ${s(withFigures.timings.pageMs).padStart(7)}`);
console.log(`total without figures                  ${s(t2 - t0).padStart(7)}   ${s(c2 - c0).padStart(7)}`);
console.log(`total with figures                     ${s(t1 - t0 + t3 - t2).padStart(7)}   ${s(c1 - c0 + c3 - c2).padStart(7)}`);
if (m2 !== undefined && m3 !== undefined) {
  // What the same work takes on this machine when nothing else runs: the single-threaded
  // parts at their CPU time; the figures at the larger of the main thread's CPU time and
  // the process's CPU time shared out over the CPUs.
  const cpus = os.availableParallelism();
  const figuresIdle = Math.max(m3 - m2, (c3 - c2) / cpus);
  console.log(`figures: main thread CPU ${s(m3 - m2)}, all threads ${s(c3 - c2)} on ${cpus} CPUs`);
  console.log(`estimate for an otherwise idle machine: ${s(c1 - c0 + c2 - c1)} without figures, ${s(c1 - c0 + figuresIdle)} with figures`);
}
console.log(
  `page size: ${(written.pageBytes / 2 ** 20).toFixed(2)} MiB (${written.pageBytes} bytes); files: ${withFigures.files.length}; figures scaled down to fit: ${withFigures.warnings.length}`,
);
for (const w of withFigures.warnings) console.log(`  ${w.text}`);
if (values.out === undefined) await rm(out, { recursive: true, force: true });
