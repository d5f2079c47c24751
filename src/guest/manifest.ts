import { createHash } from 'node:crypto';
import { z } from 'zod';
import { HvbError } from '../util/errors.ts';
import type { ImageManifest, Recipe } from './image.ts';
import { canonicalRecipe, recipeSchema } from './recipe.ts';

/**
 * Version of the image layout this builder writes. It is part of every image id, so a
 * change to what goes into the initramfs (bump it!) never reuses images built before.
 */
export const BUILDER_VERSION = 2;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in hex');

const archive = {
  file: z.string().min(1),
  sha256,
  bytes: z.number().int().positive(),
  unpackedBytes: z.number().int().positive(),
  entries: z.number().int().positive(),
};

export const manifestSchema: z.ZodType<ImageManifest> = z.strictObject({
  schema: z.literal(2),
  id: z.string().regex(/^[0-9a-f]{16}$/, 'a 16-digit hex id'),
  arch: z.literal('amd64'),
  kernel: z.strictObject({ version: z.string().min(1), file: z.string().min(1), sha256, bytes: z.number().int().positive() }),
  initramfs: z.strictObject(archive),
  segments: z.array(z.strictObject({ name: z.string().regex(/^[a-z0-9-]+$/), ...archive, tools: z.array(z.string()) })),
  packages: z.array(
    z.strictObject({
      name: z.string().min(1),
      version: z.string().min(1),
      arch: z.string().min(1),
      sha256,
      role: z.enum(['kernel', 'busybox', 'tool', 'dependency']),
    }),
  ),
  modules: z.array(z.strictObject({ name: z.string().min(1), builtin: z.boolean(), path: z.string().optional(), depends: z.array(z.string()) })),
  tools: z.array(z.string()),
  programs: z.array(
    z.strictObject({
      name: z.string().min(1),
      segment: z.string().min(1),
      sourceSha256: sha256,
      compiler: z.string().min(1),
      libc: z.string().min(1),
      argv: z.array(z.string()),
      sha256,
    }),
  ),
  agent: z.strictObject({ sha256, helpers: z.record(z.string(), sha256) }),
  recipe: recipeSchema,
});

/** Checks a parsed manifest.json; the message names the first field that is wrong. */
export function parseManifest(data: unknown, source: string): ImageManifest {
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(top level)';
    throw new HvbError('manifest-invalid', `${source} is not a valid guest image manifest: ${where}: ${issue?.message ?? 'invalid'}`, {
      hint: 'rebuild the image with `hvbench image build`',
    });
  }
  return parsed.data;
}

/**
 * Content id of an image's inputs: builder version, recipe, exact package versions, agent
 * bytes, and `extra` lines for the other inputs (helper script hashes, program sources and
 * the toolchain that compiles them).
 */
export function imageId(recipe: Recipe, packages: readonly { name: string; version: string }[], agent: Buffer, extra: readonly string[] = []): string {
  const hash = createHash('sha256');
  hash.update(`hvbench guest image ${BUILDER_VERSION}\n`);
  hash.update(`${canonicalRecipe(recipe)}\n`);
  for (const line of packages.map((p) => `${p.name}=${p.version}`).sort()) hash.update(`${line}\n`);
  for (const line of extra) hash.update(`${line}\n`);
  hash.update(agent);
  return hash.digest('hex').slice(0, 16);
}

/** Short hash of every byte the image holds (kernel, base initramfs, segments), recorded in every sample. */
export function imageHash(manifest: ImageManifest): string {
  const parts = [manifest.kernel.sha256, manifest.initramfs.sha256, ...manifest.segments.map((s) => s.sha256)];
  return createHash('sha256').update(parts.join('')).digest('hex').slice(0, 16);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A readable listing of a manifest, for `hvbench image info`. */
export function formatManifest(m: ImageManifest): string {
  const lines = [
    `image      ${m.id} (hash ${imageHash(m)})`,
    `kernel     ${m.kernel.version}  ${mib(m.kernel.bytes)}  sha256 ${m.kernel.sha256}`,
    `initramfs  ${mib(m.initramfs.bytes)} gzip, ${mib(m.initramfs.unpackedBytes)} unpacked, ${m.initramfs.entries} entries  sha256 ${m.initramfs.sha256}`,
    `agent      sha256 ${m.agent.sha256}`,
    `tools      ${m.tools.join(', ') || '(none)'}`,
    ...m.segments.map(
      (s) => `segment    ${s.name.padEnd(10)} ${mib(s.bytes)} gzip, ${mib(s.unpackedBytes)} unpacked  ${s.tools.join(', ')}  sha256 ${s.sha256}`,
    ),
    ...m.programs.map((p) => `program    ${p.name} (source sha256 ${p.sourceSha256}) built with ${p.compiler}, ${p.libc}: ${p.argv.join(' ')}`),
    '',
    `packages (${m.packages.length})`,
  ];
  const nameWidth = Math.max(...m.packages.map((p) => p.name.length), 4);
  const versionWidth = Math.max(...m.packages.map((p) => p.version.length), 7);
  lines.push(`  ${'name'.padEnd(nameWidth)}  ${'version'.padEnd(versionWidth)}  role`);
  for (const p of m.packages) lines.push(`  ${p.name.padEnd(nameWidth)}  ${p.version.padEnd(versionWidth)}  ${p.role}`);
  lines.push('', `modules (${m.modules.length})`);
  const moduleWidth = Math.max(...m.modules.map((mod) => mod.name.length), 4);
  for (const mod of m.modules) {
    const where = mod.builtin ? 'built in' : (mod.path ?? '');
    lines.push(`  ${mod.name.padEnd(moduleWidth)}  ${where}${mod.depends.length > 0 ? `  (needs ${mod.depends.join(', ')})` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}
