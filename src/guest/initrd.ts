import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { HvbError } from '../util/errors.ts';
import { INITRDS_DIR } from './cache.ts';
import type { GuestImage, ManifestArchive, ManifestSegment } from './image.ts';

/** The initrd one case boots: the base initramfs plus the segments of the tools it needs. */
export interface CaseInitrd {
  /** The file to pass to the VMM. */
  path: string;
  /** Short hash of the archives in boot order; recorded in every sample as `initrd`. */
  hash: string;
  /** Segment names appended to the base, in manifest order. */
  segments: string[];
  bytes: number;
}

/**
 * The segments holding the given commands, in manifest order. A command of the base
 * archive needs none; a command the image does not carry at all is an error that lists
 * what it has.
 */
export function segmentsFor(image: GuestImage, tools: readonly string[]): ManifestSegment[] {
  const m = image.manifest;
  const wanted = new Set<string>();
  for (const tool of tools) {
    if (m.tools.includes(tool) && !m.segments.some((s) => s.tools.includes(tool))) continue;
    const segment = m.segments.find((s) => s.tools.includes(tool));
    if (!segment) {
      throw new HvbError('tool-missing', `the guest image ${m.id} has no tool "${tool}"`, {
        hint: `its tools are: ${[...m.tools, ...m.segments.flatMap((s) => s.tools)].join(', ')}; add the Debian package to the guest recipe (src/guest/recipe.ts) and rebuild`,
      });
    }
    wanted.add(segment.name);
  }
  return m.segments.filter((s) => wanted.has(s.name));
}

/** Short hash of a sequence of archives by their sha256, in boot order. */
export function initrdHash(archives: readonly Pick<ManifestArchive, 'sha256'>[]): string {
  return createHash('sha256')
    .update(archives.map((a) => a.sha256).join('\n'))
    .digest('hex')
    .slice(0, 16);
}

/**
 * The initrd for a case whose workload runs `tools`: the base initramfs alone when the base
 * has them all, else the base followed by the needed segments (the kernel unpacks a
 * concatenation of compressed cpio archives one after the other). Concatenations are made
 * once and kept in the image folder under their hash, so every backend boots the same bytes.
 */
export async function initrdFor(image: GuestImage, tools: readonly string[]): Promise<CaseInitrd> {
  const segments = segmentsFor(image, tools);
  const archives = [image.manifest.initramfs, ...segments];
  const hash = initrdHash(archives);
  const bytes = archives.reduce((n, a) => n + a.bytes, 0);
  const names = segments.map((s) => s.name);
  if (segments.length === 0) return { path: image.initramfs, hash, segments: names, bytes };

  const dir = join(image.dir, INITRDS_DIR);
  const path = join(dir, `${hash}.cpio.gz`);
  const existing = await stat(path).then(
    (s) => s.size,
    () => undefined,
  );
  if (existing === bytes) return { path, hash, segments: names, bytes };

  await mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  try {
    const out = createWriteStream(tmp);
    for (const a of archives) await pipeline(createReadStream(join(image.dir, a.file)), out, { end: false });
    out.end();
    await new Promise<void>((resolve, reject) => out.once('finish', resolve).once('error', reject));
    const written = (await stat(tmp)).size;
    if (written !== bytes)
      throw new HvbError('initrd-damaged', `initrd ${hash} has ${written} bytes, expected ${bytes}; the image folder ${image.dir} is damaged`);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
  return { path, hash, segments: names, bytes };
}

/** Path of the initrd that carries `tools` (see initrdFor). */
export async function initramfsFor(image: GuestImage, tools: readonly string[]): Promise<string> {
  return (await initrdFor(image, tools)).path;
}
