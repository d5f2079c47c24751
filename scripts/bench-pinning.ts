/**
 * Does pinning make the numbers steadier? Runs the quick suite's cpu case (sysbench cpu) and
 * disk case (fio on a virtio-blk scratch disk) on QEMU TCG N times unpinned and N times pinned
 * (`auto` on this machine), alternating so drift in the host's load falls on both, and prints
 * each side's mean and coefficient of variation (CV) per metric: a lower CV pinned is what
 * the field is for.
 *
 *     npm run bench:pinning [-- --runs 10] [-- --workload cpu,disk]
 *
 * A benchmark, not a test: figures depend on the machine and its load.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { tcgBackend } from '../src/backends/qemu/tcg.ts';
import { caseDevices } from '../src/devices/case-devices.ts';
import { buildImage } from '../src/guest/build.ts';
import { readCpuTopology } from '../src/hosts/cpu-topology.ts';
import { LocalHost } from '../src/hosts/local.ts';
import { setupCase } from '../src/runner/case-setup.ts';
import { type CpuPinning, pinningDim, planPinning } from '../src/runner/pinning-plan.ts';
import { runRepetition } from '../src/runner/repetition.ts';
import type { Workload } from '../src/workloads/workload.ts';
import { cpu } from '../src/workloads/cpu.ts';
import { disk } from '../src/workloads/disk.ts';
import quick from '../suites/quick.ts';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const runs = Number(option('runs') ?? 10);
if (!Number.isInteger(runs) || runs < 2) throw new Error(`--runs must be a whole number of at least 2, got ${option('runs')}`);
const known: Record<string, Workload> = { cpu: cpu as Workload, disk: disk as Workload };
const chosen = (option('workload') ?? 'cpu,disk').split(',');
for (const w of chosen) if (!(w in known)) throw new Error(`--workload: expected cpu and/or disk, got ${w}`);

const image = await buildImage({ log: (l) => console.error(`image: ${l}`) });
const host = new LocalHost();
const planned = planPinning('auto', 1, await readCpuTopology(host), host.name);
if (planned === undefined || 'refuse' in planned) throw new Error(planned?.refuse ?? 'no pinning planned');
const scratchDir = await mkdtemp(join(tmpdir(), 'hvb-bench-pin-'));

interface Side {
  label: string;
  pinning: CpuPinning | undefined;
  /** metric → one value per run */
  values: Map<string, number[]>;
}

for (const [index, name] of chosen.entries()) {
  const workload = known[name] as Workload;
  const raw = quick.workloads.find((w) => w.workload === name)?.params;
  if (raw === undefined) throw new Error(`the quick suite has no ${name} case`);
  const params = workload.params.parse(raw);
  const devices = caseDevices(tcgBackend.name, tcgBackend.devices(undefined), workload.devices?.(params) ?? {});
  if ('skip' in devices) throw new Error(`tcg/${name}: ${devices.skip}`);
  // The case's own initramfs and devices, made once as a run would.
  const setup = await setupCase({ caseId: `tcg/${name}`, slug: `case-${index + 1}`, workload, devices: devices.devices, image, host, scratchDir });
  const own = new Set(workload.metrics.map((m) => m.name));
  const sides: Side[] = [
    { label: 'none', pinning: undefined, values: new Map() },
    { label: pinningDim(planned), pinning: planned, values: new Map() },
  ];
  for (let run = 1; run <= runs; run++) {
    for (const side of run % 2 === 1 ? sides : [...sides].reverse()) {
      const out = await runRepetition({
        backend: tcgBackend,
        host,
        image,
        workload,
        params,
        vcpus: 1,
        memoryMiB: 512,
        ...(side.pinning ? { pinning: side.pinning } : {}),
        timeoutSec: 300,
        setup,
        name: `bench-pin-${name}-${side.pinning ? 'on' : 'off'}-${run}`,
      });
      const mine = out.values.filter((v) => own.has(v.metric));
      if (out.status !== 'completed' || mine.length === 0)
        throw new Error(`${name} run ${run} failed: ${out.error ?? 'no values'}\n${out.guestLog.slice(-15).join('\n')}`);
      for (const v of mine) side.values.set(v.metric, [...(side.values.get(v.metric) ?? []), v.value]);
      console.error(`${name} run ${run}/${runs} pinning ${side.label}: ${mine.map((v) => `${v.metric} ${v.value.toFixed(1)}`).join(', ')}`);
    }
  }
  await setup.release();

  console.log(`\nTCG, 1 vCPU, the quick suite's ${name} case (${JSON.stringify(raw)}), ${runs} runs a side, alternating`);
  console.log(['metric', ...sides.flatMap((s) => [`mean (${s.label})`, `CV % (${s.label})`])].join('\t'));
  for (const metric of sides[0]?.values.keys() ?? []) {
    const cells = sides.flatMap((s) => {
      const xs = s.values.get(metric) ?? [];
      const m = mean(xs);
      return [m.toFixed(1), ((100 * sampleStandardDeviation(xs)) / m).toFixed(2)];
    });
    console.log([metric, ...cells].join('\t'));
  }
}
await rm(scratchDir, { recursive: true, force: true });
