import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { resolveClosure, resolveKernelPackage, type PackageRef } from '../guest/apt.ts';
import { readJsonFile, writeFileAtomic } from '../guest/fs-atomic.ts';
import { APT_LISTS_DIR, aptListsFingerprint } from '../guest/resolve.ts';
import { canonicalLabRecipe, type LabRecipe } from './recipe.ts';

export type LabPackageRole = 'kernel' | 'hypervisor' | 'busybox' | 'package';
export type LabPackage = PackageRef & { role: LabPackageRole };

const resolvedSchema = z.array(
  z.strictObject({ name: z.string(), version: z.string(), arch: z.string(), role: z.enum(['kernel', 'hypervisor', 'busybox', 'package']) }),
);

/** Gives each resolved package its role, kernel first, then sorted by name. */
export function assignLabRoles(recipe: LabRecipe, kernel: PackageRef, closure: readonly PackageRef[]): LabPackage[] {
  const role = (name: string): LabPackageRole => (name === recipe.busybox ? 'busybox' : name === recipe.hypervisor?.package ? 'hypervisor' : 'package');
  const byName = new Map<string, LabPackage>([[kernel.name, { ...kernel, role: 'kernel' }]]);
  for (const ref of closure) if (!byName.has(ref.name)) byName.set(ref.name, { ...ref, role: role(ref.name) });
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The exact packages of a lab recipe, resolved by apt against an empty dpkg status (as for
 * the guest image), cached per recipe and state of apt's package lists under `<cacheDir>/labs/resolved/`.
 */
export async function resolveLabPackages(recipe: LabRecipe, cacheDir: string, log: (line: string) => void, listsDir = APT_LISTS_DIR): Promise<LabPackage[]> {
  const key = createHash('sha256')
    .update(canonicalLabRecipe(recipe))
    .update(await aptListsFingerprint(listsDir))
    .digest('hex')
    .slice(0, 24);
  const file = join(cacheDir, 'labs', 'resolved', `${key}.json`);
  const cached = resolvedSchema.safeParse(await readJsonFile(file));
  if (cached.success) return cached.data;
  log('resolving packages');
  const wanted = [recipe.busybox, ...recipe.packages, ...(recipe.hypervisor ? [recipe.hypervisor.package] : [])];
  const [kernel, closure] = await Promise.all([resolveKernelPackage(recipe.kernel), resolveClosure([...new Set(wanted)])]);
  const packages = assignLabRoles(recipe, kernel, closure);
  await writeFileAtomic(file, `${JSON.stringify(packages, null, 2)}\n`);
  return packages;
}
