/**
 * Does pinning make the numbers steadier? Runs the quick suite's cpu case (sysbench cpu) on
 * QEMU TCG N times unpinned and N times pinned (`auto` on this machine), alternating so drift
 * in the host's load falls on both, and prints each side's mean and coefficient of variation
 * (CV) of events/s: a lower CV pinned is what the field is for.
 *
 *     npm run bench:pinning [-- --runs 10]
 *
 * A benchmark, not a test: figures depend on the machine and its load.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { tcgBackend } from '../src/backends/qemu/tcg.ts';
import { buildImage } from '../src/guest/build.ts';
import { readCpuTopology } from '../src/hosts/cpu-topology.ts';
import { LocalHost } from '../src/hosts/local.ts';
import { planPinning, pinningDim, type CpuPinning } from '../src/runner/pinning-plan.ts';
import { setupCase } from '../src/runner/case-setup.ts';
import { runRepetition } from '../src/runner/repetition.ts';
import { cpu } from '../src/workloads/cpu.ts';
import quick from '../suites/quick.ts';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const runs = Number(option('runs') ?? 10);
if (!Number.isInteger(runs) || runs < 2) throw new Error(`--runs must be a whole number of at least 2, got ${option('runs')}`);
const params = quick.workloads.find((w) => w.workload === 'cpu')?.params;
if (params === undefined) throw new Error('the quick suite has no cpu case');
const metric = 'cpu.events_per_s';

const image = await buildImage({ log: (l) => console.error(`image: ${l}`) });
const host = new LocalHost();
const planned = planPinning('auto', 1, await readCpuTopology(host), host.name);
if (planned === undefined || 'refuse' in planned) throw new Error(planned?.refuse ?? 'no pinning planned');
// The case's own initramfs (the base image with sysbench added), made once as a run would.
const scratchDir = await mkdtemp(join(tmpdir(), 'hvb-bench-pin-'));
const setup = await setupCase({ caseId: 'tcg/cpu', slug: 'case-1', workload: cpu, devices: {}, image, host, scratchDir });

async function once(pinning: CpuPinning | undefined, run: number): Promise<number> {
  const out = await runRepetition({
    backend: tcgBackend,
    host,
    image,
    workload: cpu,
    params: cpu.params.parse(params),
    vcpus: 1,
    memoryMiB: 512,
    ...(pinning ? { pinning } : {}),
    timeoutSec: 300,
    setup,
    name: `bench-pin-${pinning ? 'on' : 'off'}-${run}`,
  });
  const value = out.values.find((v) => v.metric === metric)?.value;
  if (out.status !== 'completed' || value === undefined)
    throw new Error(`run ${run} failed: ${out.error ?? `no ${metric}`}\n${out.guestLog.slice(-15).join('\n')}`);
  return value;
}

const sides: { label: string; pinning: CpuPinning | undefined; values: number[] }[] = [
  { label: 'none', pinning: undefined, values: [] },
  { label: pinningDim(planned), pinning: planned, values: [] },
];
for (let run = 1; run <= runs; run++) {
  for (const side of run % 2 === 1 ? sides : [...sides].reverse()) {
    const v = await once(side.pinning, run);
    side.values.push(v);
    console.error(`run ${run}/${runs} pinning ${side.label}: ${v.toFixed(1)} events/s`);
  }
}

await setup.release();
await rm(scratchDir, { recursive: true, force: true });

console.log(`TCG, 1 vCPU, the quick suite's cpu case (${JSON.stringify(params)}), ${runs} runs a side, alternating`);
console.log(['pinning', 'mean events/s', 'CV %'].join('\t'));
for (const side of sides) {
  const m = mean(side.values);
  console.log([side.label, m.toFixed(1), ((100 * sampleStandardDeviation(side.values)) / m).toFixed(2)].join('\t'));
}
