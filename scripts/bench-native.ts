/**
 * The native backend against the physical limit it stands for: sysbench cpu run through the
 * native backend (the image's own root in a chroot with private mount and PID namespaces,
 * started by the guest agent, framed and parsed like a guest) and the same sysbench binary
 * started directly in a chroot of that root, alternating A B A B. Prints both series, their
 * medians and the ratio native / direct; the aim is 0.99–1.01.
 *
 *     npm run bench:native [-- --runs 5 --time 10]
 *
 * A benchmark, not a test: run it on a quiet machine.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { median } from 'simple-statistics';
import { nativeRoot } from '../src/backends/native/root.ts';
import { nativeBackend } from '../src/backends/native/native.ts';
import { buildImage } from '../src/guest/build.ts';
import { defaultCacheDir } from '../src/guest/cache.ts';
import { initrdFor } from '../src/guest/initrd.ts';
import { LocalHost } from '../src/hosts/local.ts';
import { runRepetition } from '../src/runner/repetition.ts';
import { cpu } from '../src/workloads/cpu.ts';
import { sysbenchField } from '../src/workloads/sysbench-output.ts';

const arg = (name: string, fallback: number) => Number(process.argv[process.argv.indexOf(name) + 1] || fallback) || fallback;
const runs = arg('--runs', 5);
const timeSec = arg('--time', 10);
const image = await buildImage({ log: (l) => console.error(`image: ${l}`) });
const initrd = await initrdFor(image, cpu.tools ?? []);
const root = await nativeRoot(initrd.path, defaultCacheDir());
const params = cpu.params.parse({ threads: 1, timeSec });
const argv = cpu.command(params, {}).steps[0]!.argv;

async function viaBackend(): Promise<number> {
  const out = await runRepetition({
    backend: nativeBackend,
    host: new LocalHost(),
    image,
    workload: cpu,
    params,
    setup: { initrd, disks: [], nics: [], probe: [], modules: [], context: {} },
    vcpus: 1,
    memoryMiB: 512,
    timeoutSec: timeSec + 60,
    name: 'bench-native',
  });
  const v = out.values.find((x) => x.metric === 'cpu.events_per_s');
  if (out.status !== 'completed' || !v) throw new Error(`native run failed: ${out.error}`);
  return v.value;
}

async function direct(): Promise<number> {
  // The same binary and libraries (the image's loader resolves them inside the root).
  const { stdout } = await execa('chroot', [root.dir, ...argv.map((a, i) => (i === 0 ? join('/usr/bin', a) : a))]);
  return sysbenchField(stdout, 'events per second');
}

const native: number[] = [];
const bare: number[] = [];
for (let i = 0; i < runs; i++) {
  native.push(await viaBackend());
  bare.push(await direct());
  console.error(`run ${i + 1}/${runs}: native backend ${native.at(-1)} events/s, direct chroot ${bare.at(-1)} events/s`);
}
const mn = median(native);
const mb = median(bare);
console.log(
  `sysbench cpu (1 thread, ${timeSec} s), median of ${runs}: native backend ${mn.toFixed(1)} events/s, direct ${mb.toFixed(1)} events/s, ratio ${(mn / mb).toFixed(4)}`,
);
console.log(`paired ratios: ${native.map((n, i) => (n / bare[i]!).toFixed(4)).join(' ')}`);
