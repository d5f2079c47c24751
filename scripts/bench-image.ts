/**
 * Guest image build time, cold (empty cache: download, unpack, write) and warm (cached),
 * and the image's sizes.
 *
 *     npm run bench:image
 *
 * Downloads every package again into a temporary cache, which is removed afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage } from '../src/guest/build.ts';

const cacheDir = await mkdtemp(join(tmpdir(), 'hvbench-bench-image-'));
const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
try {
  let t = Date.now();
  const cold = await buildImage({ cacheDir, log: (l) => console.error(`cold: ${l}`) });
  const coldMs = Date.now() - t;
  t = Date.now();
  const warm = await buildImage({ cacheDir });
  const warmMs = Date.now() - t;
  if (warm.hash !== cold.hash) throw new Error('the warm build returned another image');
  const m = cold.manifest;
  console.log(`image build: cold ${(coldMs / 1000).toFixed(1)} s, warm ${warmMs} ms`);
  console.log(
    `kernel ${m.kernel.version}: ${mib(m.kernel.bytes)}; base initramfs ${mib(m.initramfs.bytes)} gz, ${mib(m.initramfs.unpackedBytes)} unpacked, ${m.initramfs.entries} entries; ${m.packages.length} packages`,
  );
  for (const s of m.segments)
    console.log(`segment ${s.name}: ${mib(s.bytes)} gz, ${mib(s.unpackedBytes)} unpacked, ${s.entries} entries (${s.tools.join(', ')})`);
} finally {
  await rm(cacheDir, { recursive: true, force: true });
}
