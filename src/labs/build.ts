import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { writeCpioGz } from '../guest/archive-file.ts';
import { openBaseSystem } from '../guest/base-system.ts';
import { defaultCacheDir } from '../guest/cache.ts';
import { DebCache, sha256File } from '../guest/deb-cache.ts';
import { readJsonFile, writeFileAtomic } from '../guest/fs-atomic.ts';
import { libraryClosure } from '../guest/libs.ts';
import { PackageTree } from '../guest/tree.ts';
import { HvbError } from '../util/errors.ts';
import { trackTempDir } from './booting.ts';
import { labInitramfsEntries } from './entries.ts';
import {
  LAB_HYPERVISOR_FILE,
  LAB_INITRAMFS_FILE,
  LAB_KERNEL_FILE,
  LAB_MANIFEST_FILE,
  labImage,
  labImageId,
  parseLabManifest,
  type LabImage,
  type LabManifest,
} from './manifest.ts';
import { canonicalLabRecipe, type LabRecipe } from './recipe.ts';
import { resolveLabPackages, type LabPackage } from './resolve.ts';

export interface BuildLabImageOptions {
  /** Lab images (`labs/images/<id>/`) and the resolution cache. Default: defaultCacheDir(). */
  cacheDir?: string;
  /** Downloaded and unpacked packages, shared with the guest image. Default: cacheDir. */
  debCacheDir?: string;
  /** The lab's /init. Default: src/labs/init.sh. */
  initPath?: string;
  log?: (line: string) => void;
  /**
   * Stops the build between its steps (resolve, download, unpack, initramfs, kernel): the
   * temporary folder is removed and HvbError code 'interrupted' thrown. Cached packages are
   * only ever renamed into place (DebCache), so none is left half-written.
   */
  signal?: AbortSignal;
}

export function defaultLabInitPath(): string {
  return fileURLToPath(new URL('./init.sh', import.meta.url));
}

export const labImagesDir = (cacheDir: string) => join(cacheDir, 'labs', 'images');

/**
 * Builds a lab host image (kernel, Xen for the Xen lab, initramfs, manifest) into
 * `<cacheDir>/labs/images/<id>/`, or returns the one already there. The id covers the
 * recipe, the exact package versions and the /init script.
 */
export async function buildLabImage(recipe: LabRecipe, opts: BuildLabImageOptions = {}): Promise<LabImage> {
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const log = opts.log ?? (() => {});
  const init = await readFile(opts.initPath ?? defaultLabInitPath());
  const check = () => {
    if (opts.signal?.aborted)
      throw new HvbError('interrupted', `interrupted while building the ${recipe.variant} lab image; nothing of it was kept and no lab was started`);
  };
  check();
  const packages = await resolveLabPackages(recipe, cacheDir, log);
  check();
  const id = labImageId(recipe, packages, init);
  const dir = join(labImagesDir(cacheDir), id);
  const existing = await openLabImage(dir);
  if (existing) {
    log(`lab image ${id} is up to date`);
    return existing;
  }
  const tmp = join(labImagesDir(cacheDir), `.tmp-${id}-${randomBytes(6).toString('hex')}`);
  // Removed below however the build ends; if the process exits in the middle, by its exit handler.
  const untrack = trackTempDir(tmp);
  try {
    await mkdir(tmp, { recursive: true });
    // A finished image is kept even when the signal came meanwhile: it is whole, and the next `up` uses it.
    const manifest = await writeLabImage(tmp, { id, recipe, packages, init, debCacheDir: opts.debCacheDir ?? cacheDir, log, check });
    await rename(tmp, dir).catch((e: NodeJS.ErrnoException) => {
      // Another build finished first: keep theirs.
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    });
    log(`lab image ${id} ready`);
    return labImage(dir, manifest);
  } finally {
    await rm(tmp, { recursive: true, force: true });
    untrack();
  }
}

/** The image in `dir` when its manifest parses and every file has the size it records. */
export async function openLabImage(dir: string): Promise<LabImage | undefined> {
  const data = await readJsonFile(join(dir, LAB_MANIFEST_FILE));
  if (data === undefined) return undefined;
  let manifest: LabManifest;
  try {
    manifest = parseLabManifest(data, join(dir, LAB_MANIFEST_FILE));
  } catch {
    return undefined;
  }
  for (const f of [manifest.kernel, manifest.initramfs, ...(manifest.hypervisor ? [manifest.hypervisor] : [])]) {
    const size = await stat(join(dir, f.file)).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== f.bytes) return undefined;
  }
  return labImage(dir, manifest);
}

interface LabInputs {
  id: string;
  recipe: LabRecipe;
  packages: LabPackage[];
  init: Buffer;
  debCacheDir: string;
  log: (line: string) => void;
  /** Throws when the build was interrupted. */
  check: () => void;
}

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

async function writeLabImage(dir: string, b: LabInputs): Promise<LabManifest> {
  const debs = new DebCache(b.debCacheDir);
  await debs.fetch(b.packages, b.log);
  b.check();
  const hashes = await Promise.all(b.packages.map((p) => sha256File(debs.debPath(p))));
  await debs.unpack(b.packages, b.log);
  b.check();

  const { kernel, base } = await openBaseSystem(debs, { kernel: only(b.packages, 'kernel'), busybox: only(b.packages, 'busybox') }, b.recipe.modules);
  const userland = b.packages.filter((p) => p.role !== 'kernel' && p.role !== 'hypervisor');
  const tree = await PackageTree.load(userland.map((p) => ({ pkg: p.name, dir: debs.unpackedPath(p) })));

  const files = new Set(await libraryClosure(tree, b.recipe.programs, b.recipe.alwaysLibs));
  for (const dirPath of b.recipe.trees) {
    if (tree.get(dirPath)?.kind !== 'dir') throw new HvbError('file-missing', `lab recipe ${b.recipe.variant}: no package provides the directory ${dirPath}`);
    for (const p of tree.list(dirPath)) files.add(p);
  }
  for (const file of b.recipe.files) {
    const found = tree.resolve(file);
    if (found?.node.kind !== 'file') throw new HvbError('file-missing', `lab recipe ${b.recipe.variant}: no package provides the file ${file}`);
    for (const p of [...found.links, found.path]) files.add(p);
  }
  // A directory copied whole may hold symlinks to a file elsewhere (QEMU's firmware links to SeaBIOS): follow them.
  for (const p of [...files]) {
    const node = tree.get(p);
    if (node?.kind !== 'symlink') continue;
    const found = tree.resolve(p);
    if (found) for (const q of [...found.links, found.path]) files.add(q);
  }

  b.check();
  const entries = labInitramfsEntries({
    ...base,
    recipe: b.recipe,
    init: b.init,
    tree,
    files: [...files].sort(),
    imageId: b.id,
  });
  const initramfs = await writeCpioGz(entries, join(dir, LAB_INITRAMFS_FILE));
  b.log(`writing lab initramfs: ${initramfs.entries} entries, ${mib(initramfs.unpackedBytes)} MiB (${mib(initramfs.bytes)} MiB gzip)`);
  b.check();

  await copyFile(kernel.vmlinuz, join(dir, LAB_KERNEL_FILE));
  const facts = async (file: string) => ({ file, sha256: await sha256File(join(dir, file)), bytes: (await stat(join(dir, file))).size });
  let hypervisor: LabManifest['hypervisor'];
  if (b.recipe.hypervisor) {
    const pkg = only(b.packages, 'hypervisor');
    const source = posix.join(debs.unpackedPath(pkg), b.recipe.hypervisor.file);
    // QEMU's multiboot loader needs Xen's ELF, not the gzipped file GRUB would load.
    await pipeline(createReadStream(source), createGunzip(), createWriteStream(join(dir, LAB_HYPERVISOR_FILE))).catch((e: unknown) => {
      throw new HvbError('file-missing', `cannot unpack ${b.recipe.hypervisor?.file} from ${pkg.name}: ${(e as Error).message}`, { cause: e });
    });
    hypervisor = await facts(LAB_HYPERVISOR_FILE);
  }
  const manifest: LabManifest = {
    schema: 1,
    id: b.id,
    lab: b.recipe.lab,
    variant: b.recipe.variant,
    kernel: { ...(await facts(LAB_KERNEL_FILE)), version: kernel.kver },
    ...(hypervisor ? { hypervisor } : {}),
    initramfs: { file: LAB_INITRAMFS_FILE, ...initramfs },
    packages: b.packages.map((p, i) => ({ name: p.name, version: p.version, arch: p.arch, sha256: hashes[i] as string, role: p.role })),
    modules: base.modules.modules,
    init: { sha256: createHash('sha256').update(b.init).digest('hex') },
    recipe: canonicalLabRecipe(b.recipe),
  };
  await writeFileAtomic(join(dir, LAB_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function only(packages: readonly LabPackage[], role: LabPackage['role']): LabPackage {
  const found = packages.filter((p) => p.role === role);
  if (found.length !== 1) throw new HvbError('packages-invalid', `a lab image needs exactly one ${role} package, found ${found.length}`);
  return found[0] as LabPackage;
}
