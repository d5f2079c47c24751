import { createHash } from 'node:crypto';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HvbError } from '../util/errors.ts';
import type { AgentHelper } from './agent-file.ts';
import { helperHashes } from './agent-file.ts';
import { writeCpioGz } from './archive-file.ts';
import { openBaseSystem } from './base-system.ts';
import { INITRAMFS_FILE, KERNEL_FILE, segmentFile } from './cache.ts';
import { DebCache, sha256File } from './deb-cache.ts';
import type { ImageManifest, ManifestProgram, ManifestSegment, Recipe } from './image.ts';
import { writeManifest } from './image-dir.ts';
import { initramfsEntries, segmentEntries } from './initramfs.ts';
import { libraryClosure } from './libs.ts';
import { compileProgram, type Toolchain } from './programs.ts';
import { segmentNames, toolCommands } from './recipe.ts';
import type { ResolvedPackage } from './resolve.ts';
import { PackageTree } from './tree.ts';

export interface ImageInputs {
  id: string;
  recipe: Recipe;
  packages: ResolvedPackage[];
  agent: { bytes: Buffer; sha256: string };
  helpers: AgentHelper[];
  /** Source hashes of recipe.programs, in order, and the toolchain that compiles them. */
  programSources: string[];
  programsDir: string;
  toolchain: Toolchain | undefined;
  from: ImageManifest | undefined;
  debCacheDir: string;
  log: (line: string) => void;
}

const mib = (bytes: number) => (bytes / 1048576).toFixed(1);

/**
 * Downloads and unpacks the packages, then writes kernel, base initramfs, one archive per
 * segment and the manifest into `dir`. A segment holds the files its tools need that the
 * base does not already have; the kernel unpacks base and segments into one root.
 */
export async function writeImage(dir: string, b: ImageInputs): Promise<ImageManifest> {
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

  const { kernel, base } = await openBaseSystem(debs, { kernel: only(b.packages, 'kernel'), busybox: only(b.packages, 'busybox') }, b.recipe.modules);
  const userland = b.packages.filter((p) => p.role !== 'kernel');
  const tree = await PackageTree.load(userland.map((p) => ({ pkg: p.name, dir: debs.unpackedPath(p) })));
  const baseTools = b.recipe.tools.filter((t) => t.segment === undefined);
  const baseFiles = await libraryClosure(
    tree,
    baseTools.flatMap((t) => t.binaries),
    b.recipe.alwaysLibs,
  );
  const tools = toolCommands(b.recipe);

  const entries = initramfsEntries({
    ...base,
    agent: b.agent.bytes,
    helpers: b.helpers,
    tree,
    files: baseFiles,
    tools,
    imageId: b.id,
  });
  const initramfs = await writeCpioGz(entries, join(dir, INITRAMFS_FILE));
  b.log(`writing initramfs: ${initramfs.entries} entries, ${mib(initramfs.unpackedBytes)} MiB`);

  const inBase = new Set(baseFiles);
  const segments: ManifestSegment[] = [];
  const programs: ManifestProgram[] = [];
  await mkdir(join(dir, 'segments'), { recursive: true });
  for (const name of segmentNames(b.recipe)) {
    const segTools = b.recipe.tools.filter((t) => t.segment === name);
    const closure =
      segTools.length > 0
        ? await libraryClosure(
            tree,
            segTools.flatMap((t) => t.binaries),
            [],
          )
        : [];
    const compiled = [];
    for (const [i, program] of b.recipe.programs.entries()) {
      if (program.segment !== name) continue;
      if (!b.toolchain) throw new HvbError('toolchain-missing', `guest program ${program.name} needs a C toolchain`);
      const { bytes, argv } = await compileProgram(program, b.programsDir);
      compiled.push({ name: program.name, bytes });
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      programs.push({ name: program.name, segment: name, sourceSha256: b.programSources[i] as string, ...b.toolchain, argv, sha256 });
    }
    const segToolNames = toolCommands(b.recipe, name);
    const file = segmentFile(name);
    const facts = await writeCpioGz(
      segmentEntries({ name, tree, files: closure.filter((f) => !inBase.has(f)), programs: compiled, tools: segToolNames }),
      join(dir, file),
    );
    b.log(`writing segment ${name}: ${facts.entries} entries, ${mib(facts.unpackedBytes)} MiB`);
    segments.push({ name, file, ...facts, tools: segToolNames });
  }
  await copyFile(kernel.vmlinuz, join(dir, KERNEL_FILE));

  const manifest: ImageManifest = {
    schema: 2,
    id: b.id,
    arch: 'amd64',
    kernel: {
      version: kernel.kver,
      file: KERNEL_FILE,
      sha256: await sha256File(join(dir, KERNEL_FILE)),
      bytes: (await stat(join(dir, KERNEL_FILE))).size,
    },
    initramfs: { file: INITRAMFS_FILE, ...initramfs },
    segments,
    packages: b.packages.map((p, i) => ({ name: p.name, version: p.version, arch: p.arch, sha256: hashes[i] as string, role: p.role })),
    modules: base.modules.modules,
    tools: toolCommands(b.recipe),
    programs,
    agent: { sha256: b.agent.sha256, helpers: helperHashes(b.helpers) },
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

/** The rebuilt files must be the manifest's bytes: kernel, base initramfs and every segment. */
export function checkReproduced(want: ImageManifest, got: ImageManifest): void {
  const parts = [
    ['kernel', want.kernel.sha256, got.kernel.sha256],
    ['initramfs', want.initramfs.sha256, got.initramfs.sha256],
    ...want.segments.map((s) => [`segment ${s.name}`, s.sha256, got.segments.find((g) => g.name === s.name)?.sha256 ?? '(none)']),
  ];
  for (const [part, w, g] of parts) {
    if (w !== g) {
      throw new HvbError('not-reproducible', `rebuilding image ${want.id} gave a different ${part} (sha256 ${g}, manifest has ${w})`, {
        hint: 'the same packages, agent and toolchain should give the same bytes; please report this with both manifests',
      });
    }
  }
}
