/**
 * What does `--count-events` cost? Runs the quick suite's cpu case (sysbench cpu) on QEMU TCG
 * (or natively, where a counted step runs under busybox time) N times without counting and N
 * times with it, alternating so drift in the host's load
 * falls on both, and prints each side's mean events/s, its CV and the difference of the means
 * with its 95 % interval (Welch): counting should change the figure by less than that.
 *
 *     npm run bench:events [-- --runs 8] [--backend tcg|native]
 *
 * A benchmark, not a test: figures depend on the machine and its load.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { nativeBackend } from '../src/backends/native/native.ts';
import { tcgBackend } from '../src/backends/qemu/tcg.ts';
import { buildImage } from '../src/guest/build.ts';
import { LocalHost } from '../src/hosts/local.ts';
import { setupCase } from '../src/runner/case-setup.ts';
import { runRepetition } from '../src/runner/repetition.ts';
import { tQuantile } from '../src/stats/student-t.ts';
import { cpu } from '../src/workloads/cpu.ts';
import quick from '../suites/quick.ts';

const at = process.argv.indexOf('--runs');
const runs = Number(at === -1 ? 8 : process.argv[at + 1]);
if (!Number.isInteger(runs) || runs < 2) throw new Error(`--runs must be a whole number of at least 2, got ${process.argv[at + 1]}`);
const named = process.argv.indexOf('--backend');
const backendName = named === -1 ? 'tcg' : process.argv[named + 1];
const backends = { tcg: tcgBackend, native: nativeBackend } as const;
if (backendName !== 'tcg' && backendName !== 'native') throw new Error(`--backend must be tcg or native, got ${backendName}`);
const backend = backends[backendName];
const raw = quick.workloads.find((w) => w.workload === 'cpu')?.params;
if (raw === undefined) throw new Error('the quick suite has no cpu case');
const params = cpu.params.parse(raw);
const metric = 'cpu.events_per_s';

const image = await buildImage({ log: (l) => console.error(`image: ${l}`) });
const host = new LocalHost();
const scratchDir = await mkdtemp(join(tmpdir(), 'hvb-bench-events-'));
const setup = await setupCase({ caseId: `${backendName}/cpu`, slug: 'case-1', workload: cpu, devices: {}, image, host, scratchDir });
const sides = [
  { label: 'off', countEvents: false, values: [] as number[] },
  { label: 'on', countEvents: true, values: [] as number[] },
];
for (let run = 1; run <= runs; run++) {
  for (const side of run % 2 === 1 ? sides : [...sides].reverse()) {
    const out = await runRepetition({
      backend,
      host,
      image,
      workload: cpu,
      params,
      vcpus: 1,
      memoryMiB: 512,
      timeoutSec: 300,
      setup,
      name: `bench-events-${side.label}-${run}`,
      countEvents: side.countEvents,
    });
    const value = out.values.find((v) => v.metric === metric)?.value;
    if (out.status !== 'completed' || value === undefined) throw new Error(`run ${run} failed: ${out.error ?? `no ${metric}`}`);
    side.values.push(value);
    console.error(`run ${run}/${runs} counting ${side.label}: ${value.toFixed(1)} events/s`);
  }
}
await setup.release();
await rm(scratchDir, { recursive: true, force: true });

const [off, on] = sides as [(typeof sides)[0], (typeof sides)[0]];
console.log(`${backendName === 'tcg' ? 'TCG, 1 vCPU' : 'native'}, the quick suite's cpu case (${JSON.stringify(raw)}), ${runs} runs a side, alternating`);
for (const s of sides) {
  const m = mean(s.values);
  console.log(`counting ${s.label}: mean ${m.toFixed(1)} events/s, CV ${((100 * sampleStandardDeviation(s.values)) / m).toFixed(2)} %`);
}
const v1 = sampleStandardDeviation(on.values) ** 2 / runs;
const v0 = sampleStandardDeviation(off.values) ** 2 / runs;
const df = (v1 + v0) ** 2 / (v1 ** 2 / (runs - 1) + v0 ** 2 / (runs - 1));
const half = tQuantile(0.975, df) * Math.sqrt(v1 + v0);
const diff = mean(on.values) - mean(off.values);
console.log(
  `on − off: ${diff.toFixed(1)} events/s (${((100 * diff) / mean(off.values)).toFixed(2)} %), 95 % interval [${(diff - half).toFixed(1)}, ${(diff + half).toFixed(1)}]`,
);
