import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HvbError } from '../util/errors.ts';
import { readAgent } from './agent-file.ts';
import { writeCpioGz } from './archive-file.ts';
import { BUSYBOX_PATH, busyboxApplets } from './busybox.ts';
import { cachePaths, defaultAgentPath, defaultCacheDir, INITRAMFS_FILE, KERNEL_FILE } from './cache.ts';
import { DebCache, sha256File } from './deb-cache.ts';
import type { GuestImage, ImageManifest, Recipe } from './image.ts';
import { checkImageDir, guestImage, writeManifest } from './image-dir.ts';
import { initramfsEntries } from './initramfs.ts';
import { openKernelTree } from './kernel.ts';
import { planModules } from './kmod.ts';
import { libraryClosure } from './libs.ts';
import { recordCurrentImage } from './load.ts';
import { imageId, parseManifest } from './manifest.ts';
import { DEFAULT_RECIPE, toolCommands, validateRecipe } from './recipe.ts';
import { resolvePackages, type ResolvedPackage } from './resolve.ts';
import { PackageTree } from './tree.ts';

export interface BuildImageOptions {
  /** Images and the package resolution cache. Default: defaultCacheDir(). */
  cacheDir?: string;
  /** Downloaded .deb files and unpacked trees. Default: cacheDir. */
  debCacheDir?: string;
  /** The initramfs /init. Default: src/guest/agent/init.sh. */
  agentPath?: string;
  /** Default: DEFAULT_RECIPE. */
  recipe?: Recipe;
  /** Rebuild exactly this image: same recipe, same package versions; the result must have the same hashes. */
  fromManifest?: ImageManifest;
  /** Check the full sha256 of an existing image's files, not only their sizes. */
  verify?: boolean;
  log?: (line: string) => void;
}

/**
 * Builds the guest image (kernel + initramfs + manifest) into `<cacheDir>/images/<id>/`,
 * or returns the one already there. The id covers the recipe, the exact package versions
 * and the agent, so a warm call only resolves (cached), hashes the agent and checks sizes.
 */
export async function buildImage(opts: BuildImageOptions = {}): Promise<GuestImage> {
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const log = opts.log ?? (() => {});
  // A manifest may come straight from a JSON file: check it before trusting any field.
  const from = opts.fromManifest && parseManifest(opts.fromManifest, `the manifest of image ${opts.fromManifest.id ?? '(no id)'}`);
  if (from && opts.recipe) {
    throw new HvbError('invalid-argument', 'buildImage takes a recipe or a manifest to rebuild, not both');
  }
  const recipe = validateRecipe(from?.recipe ?? opts.recipe ?? DEFAULT_RECIPE);
  const agent = await readAgent(opts.agentPath ?? defaultAgentPath());
  if (from && from.agent.sha256 !== agent.sha256) {
    throw new HvbError('agent-mismatch', `image ${from.id} was built with another agent (sha256 ${from.agent.sha256}, this one is ${agent.sha256})`, {
      hint: 'pass agentPath pointing to the agent that image was built with',
    });
  }

  const packages: ResolvedPackage[] = from
    ? from.packages.map(({ name, version, arch, role }) => ({ name, version, arch, role }))
    : await resolvePackages(recipe, cacheDir, log);
  const id = imageId(recipe, packages, agent.bytes);
  if (from && from.id !== id) {
    throw new HvbError('manifest-mismatch', `the manifest of image ${from.id} does not match its own inputs: its recipe, packages and agent give id ${id}`, {
      hint: 'the manifest was edited, or written by another version of the image builder; rebuild it with the hvbench version that made it',
    });
  }

  const dir = cachePaths.image(cacheDir, id);
  const existing = await checkImageDir(dir, { verify: opts.verify ?? false });
  if (existing.ok) {
    if (from) checkReproduced(from, existing.image.manifest);
    log(`image ${id} is up to date`);
    if (!from) await recordCurrentImage(cacheDir, recipe, id);
    return existing.image;
  }
  if (!existing.missing) log(`image ${id} is damaged (${existing.problem}); building it again`);

  const images = cachePaths.images(cacheDir);
  const tmp = join(images, `.tmp-${id}-${randomBytes(6).toString('hex')}`);
  await mkdir(tmp, { recursive: true });
  try {
    const manifest = await buildInto(tmp, { id, recipe, packages, agent, from, debCacheDir: opts.debCacheDir ?? cacheDir, log });
    await replaceDir(tmp, dir);
    log(`image ${id} ready`);
    if (!from) await recordCurrentImage(cacheDir, recipe, id);
    return guestImage(dir, manifest);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

interface BuildInputs {
  id: string;
  recipe: Recipe;
  packages: ResolvedPackage[];
  agent: { bytes: Buffer; sha256: string };
  from: ImageManifest | undefined;
  debCacheDir: string;
  log: (line: string) => void;
}

/** Downloads and unpacks the packages, then writes kernel, initramfs and manifest into `dir`. */
async function buildInto(dir: string, b: BuildInputs): Promise<ImageManifest> {
  const debs = new DebCache(b.debCacheDir);
  await debs.fetch(b.packages, b.log);
  const hashes = await Promise.all(b.packages.map((p) => sha256File(debs.debPath(p))));
  b.packages.forEach((p, i) => {
    const want = b.from?.packages.find((q) => q.name === p.name)?.sha256;
    if (want && want !== hashes[i]) {
      throw new HvbError('deb-mismatch', `${p.name} ${p.version} does not match the manifest (sha256 ${hashes[i]}, expected ${want})`, {
        hint: `delete ${debs.debPath(p)} so that it is downloaded again`,
      });
    }
  });
  await debs.unpack(b.packages, b.log);

  const kernelPkg = only(b.packages, 'kernel');
  const busyboxPkg = only(b.packages, 'busybox');
  const kernel = await openKernelTree(debs.unpackedPath(kernelPkg), kernelPkg.name);
  const modules = await planModules(b.recipe.modules, kernel.modules, kernel.kver);
  const userland = b.packages.filter((p) => p.role !== 'kernel');
  const tree = await PackageTree.load(userland.map((p) => ({ pkg: p.name, dir: debs.unpackedPath(p) })));
  const busybox = join(debs.unpackedPath(busyboxPkg), BUSYBOX_PATH);
  const programs = b.recipe.tools.flatMap((t) => t.binaries);
  const files = await libraryClosure(tree, programs, b.recipe.alwaysLibs);
  const tools = toolCommands(b.recipe);

  const entries = initramfsEntries({
    agent: b.agent.bytes,
    busybox,
    applets: await busyboxApplets(busybox),
    kver: kernel.kver,
    moduleDir: kernel.moduleDir,
    modules,
    tree,
    files,
    tools,
    imageId: b.id,
  });
  const initramfs = await writeCpioGz(entries, join(dir, INITRAMFS_FILE));
  b.log(`writing initramfs: ${initramfs.entries} entries, ${(initramfs.unpackedBytes / 1048576).toFixed(1)} MiB`);
  await copyFile(kernel.vmlinuz, join(dir, KERNEL_FILE));

  const manifest: ImageManifest = {
    schema: 1,
    id: b.id,
    arch: 'amd64',
    kernel: {
      version: kernel.kver,
      file: KERNEL_FILE,
      sha256: await sha256File(join(dir, KERNEL_FILE)),
      bytes: (await stat(join(dir, KERNEL_FILE))).size,
    },
    initramfs: { file: INITRAMFS_FILE, ...initramfs },
    packages: b.packages.map((p, i) => ({ name: p.name, version: p.version, arch: p.arch, sha256: hashes[i] as string, role: p.role })),
    modules: modules.modules,
    tools,
    agent: { sha256: b.agent.sha256 },
    recipe: b.recipe,
  };
  if (b.from) checkReproduced(b.from, manifest);
  await writeManifest(dir, manifest);
  return manifest;
}

function only(packages: readonly ResolvedPackage[], role: 'kernel' | 'busybox'): ResolvedPackage {
  const found = packages.filter((p) => p.role === role);
  if (found.length !== 1) {
    throw new HvbError('packages-invalid', `the image needs exactly one ${role} package, found ${found.length}`);
  }
  return found[0] as ResolvedPackage;
}

function checkReproduced(want: ImageManifest, got: ImageManifest): void {
  for (const part of ['kernel', 'initramfs'] as const) {
    if (want[part].sha256 !== got[part].sha256) {
      throw new HvbError('not-reproducible', `rebuilding image ${want.id} gave a different ${part} (sha256 ${got[part].sha256}, manifest has ${want[part].sha256})`, {
        hint: 'the same packages and agent should give the same bytes; please report this with both manifests',
      });
    }
  }
}

/** Moves a finished build into place; when another build got there first, theirs is kept. */
async function replaceDir(tmp: string, dir: string): Promise<void> {
  const stale = `${dir}.old-${randomBytes(6).toString('hex')}`;
  await rename(dir, stale).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
  await rm(stale, { recursive: true, force: true });
  await rename(tmp, dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
  });
}
