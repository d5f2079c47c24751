import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HvbError } from '../util/errors.ts';
import { helperHashes, readAgent, readHelpers, type AgentHelper } from './agent-file.ts';
import { cachePaths, defaultAgentPath, defaultCacheDir, defaultHelpersDir } from './cache.ts';
import type { GuestImage, ImageManifest, Recipe } from './image.ts';
import { checkImageDir, guestImage } from './image-dir.ts';
import { recordCurrentImage } from './load.ts';
import { imageId, parseManifest } from './manifest.ts';
import { COMPILE_FLAGS, defaultProgramsDir, hostToolchain, programSource, type Toolchain } from './programs.ts';
import { DEFAULT_RECIPE, validateRecipe } from './recipe.ts';
import { resolvePackages, type ResolvedPackage } from './resolve.ts';
import { checkReproduced, writeImage } from './write-image.ts';

export interface BuildImageOptions {
  /** Images and the package resolution cache. Default: defaultCacheDir(). */
  cacheDir?: string;
  /** Downloaded .deb files and unpacked trees. Default: cacheDir. */
  debCacheDir?: string;
  /** The initramfs /init. Default: src/guest/agent/init.sh. */
  agentPath?: string;
  /** The agent's helper scripts (`<name>.sh`). Default: src/guest/agent/. */
  helpersDir?: string;
  /** C sources of hvbench's guest programs. Default: src/guest/micro/. */
  programsDir?: string;
  /** Default: DEFAULT_RECIPE. */
  recipe?: Recipe;
  /** Rebuild exactly this image: same recipe, same package versions; the result must have the same hashes. */
  fromManifest?: ImageManifest;
  /** Check the full sha256 of an existing image's files, not only their sizes. */
  verify?: boolean;
  log?: (line: string) => void;
}

/**
 * Builds the guest image (kernel, base initramfs, segments, manifest) into
 * `<cacheDir>/images/<id>/`, or returns the one already there. The id covers the recipe, the
 * exact package versions, the agent and its helpers, and the guest programs' sources with
 * the toolchain; a warm call only resolves (cached), hashes those files and checks sizes.
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
  const inputs = await readInputs(recipe, opts);
  const { agent, helpers, programSources, programsDir, toolchain } = inputs;
  if (from)
    checkSameInputs(from, agent.sha256, helperHashes(helpers), new Map(recipe.programs.map((p, i) => [p.name, programSources[i] as string])), toolchain);

  const packages: ResolvedPackage[] = from
    ? from.packages.map(({ name, version, arch, role }) => ({ name, version, arch, role }))
    : await resolvePackages(recipe, cacheDir, log);
  const id = inputsId(recipe, packages, inputs);
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
    const manifest = await writeImage(tmp, {
      id,
      recipe,
      packages,
      agent,
      helpers,
      programSources,
      programsDir,
      toolchain,
      from,
      debCacheDir: opts.debCacheDir ?? cacheDir,
      log,
    });
    await replaceDir(tmp, dir);
    log(`image ${id} ready`);
    if (!from) await recordCurrentImage(cacheDir, recipe, id);
    return guestImage(dir, manifest);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** What decides an image's bytes besides the recipe and the packages, read from the source tree and the host. */
export interface ImageSources {
  agent: { bytes: Buffer; sha256: string };
  helpers: AgentHelper[];
  programsDir: string;
  /** sha256 of each recipe program's source, in recipe order. */
  programSources: string[];
  toolchain: Toolchain | undefined;
}

export async function readInputs(recipe: Recipe, opts: Pick<BuildImageOptions, 'agentPath' | 'helpersDir' | 'programsDir'> = {}): Promise<ImageSources> {
  const agent = await readAgent(opts.agentPath ?? defaultAgentPath());
  const helpers = await readHelpers(opts.helpersDir ?? defaultHelpersDir());
  const programsDir = opts.programsDir ?? defaultProgramsDir();
  const programSources = await Promise.all(recipe.programs.map(async (p) => (await programSource(p, programsDir)).sha256));
  const toolchain = recipe.programs.length > 0 ? await hostToolchain() : undefined;
  return { agent, helpers, programsDir, programSources, toolchain };
}

/** The image id of a recipe, its exact packages and the other inputs. */
export function inputsId(recipe: Recipe, packages: readonly { name: string; version: string }[], inputs: ImageSources): string {
  const extra = [
    ...inputs.helpers.map((h) => `helper ${h.name} ${h.sha256}`),
    ...recipe.programs.map(
      (p, i) => `program ${p.name} ${inputs.programSources[i]} ${inputs.toolchain?.compiler} ${inputs.toolchain?.libc} ${COMPILE_FLAGS.join(' ')}`,
    ),
  ];
  return imageId(recipe, packages, inputs.agent.bytes, extra);
}

/** A rebuild needs the same agent, helpers, program sources and toolchain as the original. */
function checkSameInputs(
  from: ImageManifest,
  agentSha: string,
  helpers: Record<string, string>,
  sources: Map<string, string>,
  toolchain: Toolchain | undefined,
): void {
  if (from.agent.sha256 !== agentSha || JSON.stringify(from.agent.helpers) !== JSON.stringify(helpers)) {
    throw new HvbError(
      'agent-mismatch',
      `image ${from.id} was built with another agent or helper scripts (agent sha256 ${from.agent.sha256}, this one is ${agentSha})`,
      {
        hint: 'pass agentPath and helpersDir pointing to the files that image was built with',
      },
    );
  }
  for (const p of from.programs) {
    if (p.sourceSha256 !== sources.get(p.name)) {
      throw new HvbError(
        'program-mismatch',
        `image ${from.id} was built from another source of ${p.name} (sha256 ${p.sourceSha256}, this one is ${sources.get(p.name) ?? 'missing'})`,
      );
    }
    if (toolchain && (p.compiler !== toolchain.compiler || p.libc !== toolchain.libc)) {
      throw new HvbError(
        'toolchain-mismatch',
        `image ${from.id} compiled ${p.name} with ${p.compiler}, ${p.libc}; this host has ${toolchain.compiler}, ${toolchain.libc}`,
        {
          hint: 'install the same gcc and libc6-dev versions to rebuild the same bytes',
        },
      );
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
