/**
 * Boot-to-ready of the hvbench guest under TCG, started by QEMU directly (the `tcg` backend)
 * and through libvirt (the `libvirt-tcg` backend, a domain of type `qemu`): the same kernel,
 * initramfs, machine type (pc), CPU model (qemu64), 1 vCPU and 512 MiB, no devices. Boots
 * each N times, interleaved so drift in the host's load spreads over both, and prints the
 * median, minimum and maximum of boot.to_ready_ms (from the launch call to the agent's ready
 * line: for libvirt that includes define, start and the monitor's accelerator check), the
 * ratio of the medians, and the guest kernel's own uptime at ready with what came before it
 * (to ready minus uptime: the VMM's start, and libvirt's, before the guest's clock runs).
 *
 *     npm run bench:libvirt [-- --runs 5]
 *
 * libvirt is reached at LIBVIRT_DEFAULT_URI when it names a QEMU connection, else
 * qemu:///system: a libvirtd must answer there (docs/libvirt.md). A benchmark, not a test:
 * figures depend on the machine and its load.
 */
import { median } from 'simple-statistics';
import type { Backend } from '../src/backends/common/backend.ts';
import { libvirtTcgBackend } from '../src/backends/libvirt/libvirt.ts';
import { tcgBackend } from '../src/backends/qemu/tcg.ts';
import { buildImage } from '../src/guest/build.ts';
import { LocalHost } from '../src/hosts/local.ts';
import { runRepetition } from '../src/runner/repetition.ts';
import { boot } from '../src/workloads/boot.ts';

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

const runs = Number(option('runs') ?? 5);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of at least 1, got ${option('runs')}`);

const host = new LocalHost();
const backends: Backend[] = [tcgBackend, libvirtTcgBackend];
const facts: Record<string, Record<string, string>> = {};
for (const backend of backends) {
  const capability = await backend.probe(host);
  if (!capability.available) {
    console.error(`${backend.name} cannot run here: ${capability.reason}${capability.hint ? `\n  hint: ${capability.hint}` : ''}`);
    process.exit(1);
  }
  facts[backend.name] = capability.facts;
}
const image = await buildImage({ log: (l) => console.error(`image: ${l}`) });

interface Boot {
  toReadyMs: number;
  uptimeMs: number;
}

async function bootOnce(backend: Backend, run: number): Promise<Boot> {
  const out = await runRepetition({ backend, host, image, workload: boot, params: {}, vcpus: 1, memoryMiB: 512, timeoutSec: 300, name: `bench-lv-${run}` });
  const value = (metric: string) => out.values.find((v) => v.metric === metric)?.value;
  const toReadyMs = value('boot.to_ready_ms');
  const uptimeS = value('boot.guest_uptime_at_ready_s');
  if (out.status !== 'completed' || toReadyMs === undefined || uptimeS === undefined || out.accel !== 'tcg') {
    throw new Error(`boot on ${backend.name} failed: ${out.error ?? `accelerator ${out.accel}, no boot metric`}\n${out.guestLog.slice(-15).join('\n')}`);
  }
  return { toReadyMs, uptimeMs: uptimeS * 1000 };
}

const boots = new Map<string, Boot[]>(backends.map((b) => [b.name, []]));
for (let run = 1; run <= runs; run++) {
  for (const backend of backends) {
    const b = await bootOnce(backend, run);
    boots.get(backend.name)!.push(b);
    console.error(`run ${run}/${runs} ${backend.name}: ready after ${b.toReadyMs} ms, guest uptime ${b.uptimeMs.toFixed(0)} ms`);
  }
}

const base = median(boots.get('tcg')!.map((b) => b.toReadyMs));
console.log(
  `TCG, 1 vCPU, 512 MiB, pc, no devices; ${runs} boots each, interleaved (image ${image.manifest.id}; QEMU ${facts['tcg']?.['qemu']}; libvirt ${facts['libvirt-tcg']?.['libvirt']} at ${facts['libvirt-tcg']?.['libvirtUri']})`,
);
console.log(
  ['backend', 'to ready median ms', 'min ms', 'max ms', 'vs tcg', 'guest uptime median ms', 'before guest clock median ms', 'all to ready ms'].join('\t'),
);
for (const backend of backends) {
  const all = boots.get(backend.name)!;
  const toReady = all.map((b) => b.toReadyMs);
  const m = median(toReady);
  const uptime = median(all.map((b) => b.uptimeMs));
  const before = median(all.map((b) => b.toReadyMs - b.uptimeMs));
  console.log(
    [
      backend.name,
      m.toFixed(0),
      Math.min(...toReady).toFixed(0),
      Math.max(...toReady).toFixed(0),
      (m / base).toFixed(3),
      uptime.toFixed(0),
      before.toFixed(0),
      toReady.join(','),
    ].join('\t'),
  );
}
