import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { resolveClosure, resolveKernelPackage, type PackageRef } from './apt.ts';
import { readJsonFile, writeFileAtomic } from './fs-atomic.ts';
import type { ManifestPackage, Recipe } from './image.ts';
import { canonicalRecipe } from './recipe.ts';

export type ResolvedPackage = PackageRef & { role: ManifestPackage['role'] };

/** Where apt keeps the package lists it resolves against. */
export const APT_LISTS_DIR = '/var/lib/apt/lists';

const resolvedSchema = z.array(
  z.strictObject({
    name: z.string(),
    version: z.string(),
    arch: z.string(),
    role: z.enum(['kernel', 'busybox', 'tool', 'dependency']),
  }),
);

/** Names, sizes and mtimes of apt's package lists: changes whenever `apt-get update` brings new lists. */
export async function aptListsFingerprint(listsDir = APT_LISTS_DIR): Promise<string> {
  const names = (await readdir(listsDir).catch(() => [] as string[])).filter((n) => n.includes('_Packages')).sort();
  const hash = createHash('sha256');
  for (const name of names) {
    const st = await stat(join(listsDir, name));
    hash.update(`${name}\0${st.size}\0${st.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** Gives each resolved package its role in the image, sorted by name. */
export function assignRoles(recipe: Recipe, kernel: PackageRef, closure: readonly PackageRef[]): ResolvedPackage[] {
  const tools = new Set(recipe.tools.map((t) => t.package));
  const role = (name: string): ManifestPackage['role'] => (name === recipe.busybox ? 'busybox' : tools.has(name) ? 'tool' : 'dependency');
  const packages: ResolvedPackage[] = [{ ...kernel, role: 'kernel' }];
  for (const ref of closure) {
    if (ref.name !== kernel.name && !packages.some((p) => p.name === ref.name)) packages.push({ ...ref, role: role(ref.name) });
  }
  return packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The exact packages of the recipe: the kernel package behind the recipe's kernel, and the
 * dependency closure of busybox, the tools and the base packages. apt's resolver takes a few
 * seconds, so its answer is kept per recipe and state of the package lists.
 */
export async function resolvePackages(recipe: Recipe, cacheDir: string, log: (line: string) => void, listsDir = APT_LISTS_DIR): Promise<ResolvedPackage[]> {
  const key = createHash('sha256')
    .update(canonicalRecipe(recipe))
    .update(await aptListsFingerprint(listsDir))
    .digest('hex')
    .slice(0, 24);
  const file = join(cacheDir, 'resolved', `${key}.json`);
  const cached = resolvedSchema.safeParse(await readJsonFile(file));
  if (cached.success) return cached.data;

  log('resolving packages');
  const wanted = [recipe.busybox, ...recipe.tools.map((t) => t.package), ...recipe.base];
  const [kernel, closure] = await Promise.all([resolveKernelPackage(recipe.kernel), resolveClosure([...new Set(wanted)])]);
  const packages = assignRoles(recipe, kernel, closure);
  await writeFileAtomic(file, `${JSON.stringify(packages, null, 2)}\n`);
  return packages;
}
