/**
 * Boot-to-ready of the hvbench guest under QEMU TCG, against a bare boot of the same kernel
 * with a busybox initramfs that prints one line and powers off: with the base initramfs
 * (what a cpu or memory case boots) and with the base plus the largest segment, fio's (what
 * a disk case boots). Prints medians and the ratios to the bare boot.
 *
 *     npm run bench:boot [-- --runs 5]
 *
 * A benchmark, not a test: figures depend on the machine and its load.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { median } from 'simple-statistics';
import { tcgBackend } from '../src/backends/qemu/tcg.ts';
import { writeCpioGz } from '../src/guest/archive-file.ts';
import { buildImage } from '../src/guest/build.ts';
import { defaultCacheDir } from '../src/guest/cache.ts';
import { DebCache } from '../src/guest/deb-cache.ts';
import { initrdFor, type CaseInitrd } from '../src/guest/initrd.ts';
import { LocalHost } from '../src/hosts/local.ts';
import { runRepetition } from '../src/runner/repetition.ts';
import { boot } from '../src/workloads/boot.ts';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 5) || 5;
const image = await buildImage({ log: (l) => console.error(`image: ${l}`) });
const busyboxPkg = image.manifest.packages.find((p) => p.name === 'busybox-static');
if (!busyboxPkg) throw new Error('the image manifest lists no busybox-static');
const busybox = join(new DebCache(defaultCacheDir()).unpackedPath(busyboxPkg), 'bin', 'busybox');

const dir = await mkdtemp(join(tmpdir(), 'hvbench-bench-'));
const bare = join(dir, 'bare.cpio.gz');
const init =
  '#!/bin/busybox sh\n/bin/busybox mount -t proc proc /proc\n/bin/busybox echo "BARE-READY $(/bin/busybox cat /proc/uptime)"\n/bin/busybox poweroff -f\n';
const { readFile } = await import('node:fs/promises');
await writeCpioGz(
  [
    { path: 'bin', kind: 'dir', mode: 0o755 },
    { path: 'bin/busybox', kind: 'file', mode: 0o755, data: await readFile(busybox) },
    { path: 'dev', kind: 'dir', mode: 0o755 },
    { path: 'dev/console', kind: 'chardev', mode: 0o600, major: 5, minor: 1 },
    { path: 'init', kind: 'file', mode: 0o755, data: Buffer.from(init) },
    { path: 'proc', kind: 'dir', mode: 0o755 },
  ],
  bare,
);

/** Spawn to the marker line, host clock, in ms. */
async function bareBoot(): Promise<number> {
  const t0 = Date.now();
  const child = execa(
    'qemu-system-x86_64',
    [
      '-machine',
      'pc',
      '-accel',
      'tcg',
      '-m',
      '512',
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-no-reboot',
      '-serial',
      'stdio',
      '-kernel',
      image.kernel,
      '-initrd',
      bare,
      '-append',
      'quiet panic=-1 console=ttyS0',
    ],
    { reject: false, timeout: 300_000 },
  );
  let at: number | undefined;
  let seen = '';
  child.stdout?.on('data', (d: Buffer) => {
    seen = (seen + d.toString('latin1')).slice(-64);
    if (at === undefined && seen.includes('BARE-READY')) at = Date.now();
  });
  await child;
  if (at === undefined) throw new Error('the bare guest never printed its marker');
  return at - t0;
}

const withFio = await initrdFor(image, ['fio']);

async function hvbenchBoot(initrd?: CaseInitrd): Promise<number> {
  const setup = initrd && { initrd, disks: [], nics: [], probe: [], modules: [], context: {} };
  const out = await runRepetition({
    backend: tcgBackend,
    host: new LocalHost(),
    image,
    workload: boot,
    params: {},
    vcpus: 1,
    memoryMiB: 512,
    timeoutSec: 300,
    name: 'bench-boot',
    ...(setup ? { setup } : {}),
  });
  const v = out.values.find((x) => x.metric === 'boot.to_ready_ms');
  if (out.status !== 'completed' || !v) throw new Error(`hvbench boot failed: ${out.error}`);
  return v.value;
}

const bareMs: number[] = [];
const hvbMs: number[] = [];
const fioMs: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    bareMs.push(await bareBoot());
    hvbMs.push(await hvbenchBoot());
    fioMs.push(await hvbenchBoot(withFio));
    console.error(`run ${i + 1}/${runs}: bare ${bareMs.at(-1)} ms, hvbench ${hvbMs.at(-1)} ms, hvbench + fio segment ${fioMs.at(-1)} ms`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const mb = median(bareMs);
const mh = median(hvbMs);
const mf = median(fioMs);
const m = image.manifest;
const fio = m.segments.find((s) => s.name === 'fio');
console.log(
  `TCG boot to ready, median of ${runs}: bare busybox ${mb.toFixed(0)} ms, hvbench guest ${mh.toFixed(0)} ms (ratio ${(mh / mb).toFixed(3)}), with the fio segment ${mf.toFixed(0)} ms (ratio ${(mf / mb).toFixed(3)})`,
);
console.log(
  `image ${m.id}: kernel ${m.kernel.version}, base initramfs ${mib(m.initramfs.bytes)} gz / ${mib(m.initramfs.unpackedBytes)}, + fio segment ${mib(fio?.bytes ?? 0)} gz / ${mib(fio?.unpackedBytes ?? 0)}`,
);
