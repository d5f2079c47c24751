import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { buildImage } from '../../guest/build.ts';
import type { ImageManifest } from '../../guest/image.ts';
import { loadImage } from '../../guest/load.ts';
import { formatManifest, parseManifest } from '../../guest/manifest.ts';
import { HvbError } from '../../util/errors.ts';

const log = (line: string) => process.stderr.write(`image: ${line}\n`);

async function readManifest(file: string): Promise<ImageManifest> {
  try {
    return parseManifest(JSON.parse(await readFile(file, 'utf8')), file);
  } catch (e) {
    if (e instanceof HvbError) throw e;
    throw new HvbError('usage', `--from-manifest ${file}: cannot read a JSON manifest (${(e as Error).message})`);
  }
}

export function registerImage(program: Command): void {
  const image = program.command('image').description('the guest image: build it from Debian packages, show its manifest');
  image
    .command('build')
    .description('build the guest image (cached by content; a warm build returns at once)')
    .option('--from-manifest <file>', 'rebuild exactly the package versions of an earlier manifest')
    .option('--verify', 'check the full sha256 of a cached image')
    .action(async (opts: { fromManifest?: string; verify?: boolean }) => {
      const t0 = Date.now();
      const fromManifest = opts.fromManifest ? await readManifest(opts.fromManifest) : undefined;
      const img = await buildImage({ log, verify: Boolean(opts.verify), ...(fromManifest ? { fromManifest } : {}) });
      const m = img.manifest;
      process.stdout.write(
        `image ${m.id} (hash ${img.hash}) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n` +
          `  kernel     ${m.kernel.version}  ${(m.kernel.bytes / 2 ** 20).toFixed(1)} MiB  ${img.kernel}\n` +
          `  initramfs  ${m.initramfs.entries} entries  ${(m.initramfs.bytes / 2 ** 20).toFixed(1)} MiB  ${img.initramfs}\n` +
          m.segments.map((s) => `  segment    ${s.name}: ${s.tools.join(', ')}  ${(s.bytes / 2 ** 20).toFixed(1)} MiB\n`).join(''),
      );
    });
  image
    .command('info')
    .description('print the manifest of the current guest image')
    .option('--id <id>', 'a built image by id')
    .option('--json', 'the manifest as JSON')
    .action(async (opts: { id?: string; json?: boolean }) => {
      const img = await loadImage(opts.id ? { id: opts.id } : {});
      process.stdout.write(opts.json ? `${JSON.stringify(img.manifest, null, 2)}\n` : formatManifest(img.manifest));
    });
}
