import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { HvbError } from '../util/errors.ts';
import { canonicalLabRecipe, LAB_NAMES, type LabRecipe } from './recipe.ts';

/** Version of the lab image layout; part of every lab image id (bump it when the layout changes). */
export const LAB_BUILDER_VERSION = 1;

export const LAB_KERNEL_FILE = 'vmlinuz';
export const LAB_HYPERVISOR_FILE = 'xen';
export const LAB_INITRAMFS_FILE = 'initramfs.cpio.gz';
export const LAB_MANIFEST_FILE = 'manifest.json';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex');
const fileFacts = z.strictObject({ file: z.string().min(1), sha256, bytes: z.number().int().positive() });

export const labManifestSchema = z.strictObject({
  schema: z.literal(1),
  id: z.string().regex(/^[0-9a-f]{16}$/),
  lab: z.enum(LAB_NAMES),
  variant: z.string().min(1),
  kernel: fileFacts.extend({ version: z.string().min(1) }),
  hypervisor: fileFacts.optional(),
  initramfs: fileFacts.extend({ unpackedBytes: z.number().int().positive(), entries: z.number().int().positive() }),
  packages: z.array(
    z.strictObject({ name: z.string(), version: z.string(), arch: z.string(), sha256, role: z.enum(['kernel', 'hypervisor', 'busybox', 'package']) }),
  ),
  modules: z.array(z.strictObject({ name: z.string(), builtin: z.boolean(), path: z.string().optional(), depends: z.array(z.string()) })),
  init: z.strictObject({ sha256 }),
  recipe: z.string().min(1),
});

export type LabManifest = z.infer<typeof labManifestSchema>;

/** A built lab image in the cache. */
export interface LabImage {
  dir: string;
  manifest: LabManifest;
  /** Short hash of every byte the lab boots (kernel, hypervisor, initramfs). */
  hash: string;
  kernel: string;
  hypervisor?: string;
  initramfs: string;
}

export function parseLabManifest(data: unknown, source: string): LabManifest {
  const parsed = labManifestSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HvbError(
      'manifest-invalid',
      `${source} is not a valid lab image manifest: ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** Content id of a lab image's inputs: builder version, recipe, exact package versions, the /init script. */
export function labImageId(recipe: LabRecipe, packages: readonly { name: string; version: string }[], init: Buffer): string {
  const hash = createHash('sha256');
  hash.update(`hvbench lab image ${LAB_BUILDER_VERSION}\n${canonicalLabRecipe(recipe)}\n`);
  for (const line of packages.map((p) => `${p.name}=${p.version}`).sort()) hash.update(`${line}\n`);
  hash.update(init);
  return hash.digest('hex').slice(0, 16);
}

export function labImageHash(m: LabManifest): string {
  const parts = [m.kernel.sha256, m.hypervisor?.sha256 ?? '', m.initramfs.sha256];
  return createHash('sha256').update(parts.join('')).digest('hex').slice(0, 16);
}

export function labImage(dir: string, manifest: LabManifest): LabImage {
  return {
    dir,
    manifest,
    hash: labImageHash(manifest),
    kernel: join(dir, manifest.kernel.file),
    ...(manifest.hypervisor ? { hypervisor: join(dir, manifest.hypervisor.file) } : {}),
    initramfs: join(dir, manifest.initramfs.file),
  };
}
