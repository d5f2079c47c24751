/**
 * Boot-to-ready of the hvbench guest on each QEMU machine type under TCG: the board is the
 * only thing that changes (same kernel, same initramfs, no devices). Boots each machine N
 * times, interleaved so drift in the host's load spreads over all of them, and prints the
 * medians: the host's time from QEMU's start to the agent's ready line, the guest kernel's
 * own uptime at that line, their difference (QEMU, firmware and kernel loading: the time
 * before the guest's clock starts), and QEMU's peak memory.
 *
 *     npm run bench:machines [-- --runs 5] [-- --machines pc,microvm]
 *
 * A benchmark, not a test: figures depend on the machine and its load.
 */
import { median } from 'simple-statistics';
import { QEMU_MACHINES } from '../src/backends/qemu/machines.ts';
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
const machines = (option('machines') ?? Object.keys(QEMU_MACHINES).join(',')).split(',');
for (const m of machines) if (!Object.hasOwn(QEMU_MACHINES, m)) throw new Error(`unknown machine type "${m}"; known: ${Object.keys(QEMU_MACHINES).join(', ')}`);

const image = await buildImage({ log: (l) => console.error(`image: ${l}`) });
const host = new LocalHost();

interface Boot {
  toReadyMs: number;
  guestUptimeMs: number;
  peakRssMiB: number;
}

async function bootOnce(machine: string, run: number): Promise<Boot> {
  const out = await runRepetition({
    backend: tcgBackend,
    host,
    image,
    workload: boot,
    params: {},
    variant: machine,
    vcpus: 1,
    memoryMiB: 512,
    timeoutSec: 300,
    name: `bench-${machine}-${run}`,
  });
  const value = (metric: string) => out.values.find((v) => v.metric === metric)?.value;
  const toReadyMs = value('boot.to_ready_ms');
  const uptimeS = value('boot.guest_uptime_at_ready_s');
  if (out.status !== 'completed' || toReadyMs === undefined || uptimeS === undefined) {
    throw new Error(`boot on ${machine} failed: ${out.error ?? 'no boot metrics'}\n${out.guestLog.slice(-15).join('\n')}`);
  }
  return { toReadyMs, guestUptimeMs: uptimeS * 1000, peakRssMiB: (out.usage?.peakRssKiB ?? 0) / 1024 };
}

const boots = new Map<string, Boot[]>(machines.map((m) => [m, []]));
for (let run = 1; run <= runs; run++) {
  for (const machine of machines) {
    const b = await bootOnce(machine, run);
    boots.get(machine)!.push(b);
    console.error(
      `run ${run}/${runs} ${machine}: ready after ${b.toReadyMs} ms, guest uptime ${b.guestUptimeMs.toFixed(0)} ms, peak RSS ${b.peakRssMiB.toFixed(0)} MiB`,
    );
  }
}

const rows = machines.map((machine) => {
  const all = boots.get(machine)!;
  const toReady = median(all.map((b) => b.toReadyMs));
  const uptime = median(all.map((b) => b.guestUptimeMs));
  const before = median(all.map((b) => b.toReadyMs - b.guestUptimeMs));
  const rss = median(all.map((b) => b.peakRssMiB));
  return { machine, toReady, uptime, before, rss };
});
const base = rows.find((r) => r.machine === 'pc') ?? rows[0]!;
console.log(`TCG, 1 vCPU, 512 MiB, no devices; median of ${runs} boots per machine type (image ${image.manifest.id}, kernel ${image.manifest.kernel.version})`);
console.log(['machine', 'to ready ms', `vs ${base.machine}`, 'guest uptime ms', 'before guest clock ms', 'QEMU peak RSS MiB'].join('\t'));
for (const r of rows) {
  console.log([r.machine, r.toReady.toFixed(0), (r.toReady / base.toReady).toFixed(3), r.uptime.toFixed(0), r.before.toFixed(0), r.rss.toFixed(0)].join('\t'));
}
