import { access } from 'node:fs/promises';
import { HvbError } from '../util/errors.ts';
import { helperHashes, readAgent, readHelpers } from './agent-file.ts';
import { cachePaths, defaultAgentPath, defaultCacheDir, defaultHelpersDir } from './cache.ts';
import { readJsonFile, writeFileAtomic } from './fs-atomic.ts';
import type { GuestImage, Recipe } from './image.ts';
import { checkImageDir } from './image-dir.ts';
import { DEFAULT_RECIPE, recipeHash, validateRecipe } from './recipe.ts';

export interface LoadImageOptions {
  /** Default: defaultCacheDir(). */
  cacheDir?: string;
  /** A built image's id; without it, the image last built for `recipe`. */
  id?: string;
  /** Default: DEFAULT_RECIPE. */
  recipe?: Recipe;
  /** The agent the image must carry (checked when no id is given). Default: the agent in the source tree. */
  agentPath?: string;
  /** The agent's helper scripts the image must carry (checked when no id is given). Default: those in the source tree. */
  helpersDir?: string;
  /** Check full sha256 of the kernel and initramfs, not only their sizes. */
  verify?: boolean;
}

const BUILD_HINT = 'run `hvbench image build`';

/** Remembers which image was built last for a recipe. */
export async function recordCurrentImage(cacheDir: string, recipe: Recipe, id: string): Promise<void> {
  const path = cachePaths.current(cacheDir, recipeHash(recipe));
  const data = (await readJsonFile(path)) as { id?: unknown } | undefined;
  if (data?.id !== id) await writeFileAtomic(path, `${JSON.stringify({ id })}\n`);
}

/** Opens a built image without building anything. */
export async function loadImage(opts: LoadImageOptions = {}): Promise<GuestImage> {
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  let id = opts.id;
  const recipe = validateRecipe(opts.recipe ?? DEFAULT_RECIPE);
  if (id === undefined) {
    const data = (await readJsonFile(cachePaths.current(cacheDir, recipeHash(recipe)))) as { id?: unknown } | undefined;
    if (typeof data?.id !== 'string') {
      throw new HvbError('image-missing', 'no guest image built yet; run `hvbench image build`', { hint: BUILD_HINT });
    }
    id = data.id;
  } else if (!/^[0-9a-f]{16}$/.test(id)) {
    throw new HvbError('invalid-argument', `a guest image id is 16 hex digits, got "${id}"`);
  }

  const check = await checkImageDir(cachePaths.image(cacheDir, id), { verify: opts.verify ?? false });
  if (!check.ok && check.missing) throw new HvbError('image-missing', `no guest image ${id} in ${cacheDir}`, { hint: BUILD_HINT });
  if (!check.ok) throw new HvbError('image-damaged', `guest image ${id} is damaged: ${check.problem}`, { hint: BUILD_HINT });

  if (opts.id === undefined) {
    // Without an id the caller wants the image of this source tree: a changed agent makes it stale.
    const agentPath = opts.agentPath ?? defaultAgentPath();
    const agentExists = await access(agentPath).then(
      () => true,
      () => false,
    );
    if (agentExists && (await readAgent(agentPath)).sha256 !== check.image.manifest.agent.sha256) {
      throw new HvbError('image-stale', `guest image ${id} carries an older agent than ${agentPath}`, { hint: BUILD_HINT });
    }
    const helpers = await readHelpers(opts.helpersDir ?? defaultHelpersDir()).catch(() => undefined);
    if (helpers && JSON.stringify(helperHashes(helpers)) !== JSON.stringify(check.image.manifest.agent.helpers)) {
      throw new HvbError('image-stale', `guest image ${id} carries older agent helper scripts than the source tree`, { hint: BUILD_HINT });
    }
  }
  return check.image;
}
