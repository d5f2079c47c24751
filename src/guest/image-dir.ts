import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from './deb-cache.ts';
import { readJsonFile, writeFileAtomic } from './fs-atomic.ts';
import type { GuestImage, ImageManifest } from './image.ts';
import { imageHash, parseManifest } from './manifest.ts';
import { INITRAMFS_FILE, KERNEL_FILE, MANIFEST_FILE } from './cache.ts';

/** The image in `dir`, or why it cannot be used (missing, unreadable manifest, files that do not match it). */
export type ImageCheck = { ok: true; image: GuestImage } | { ok: false; missing: boolean; problem: string };

/**
 * Opens an image folder and checks its files against the manifest: sizes always,
 * full sha256 only with `verify` (hashing the files takes a moment).
 */
export async function checkImageDir(dir: string, options: { verify?: boolean } = {}): Promise<ImageCheck> {
  if (
    !(await stat(dir).then(
      () => true,
      () => false,
    ))
  )
    return { ok: false, missing: true, problem: 'no such image folder' };
  const data = await readJsonFile(join(dir, MANIFEST_FILE));
  if (data === undefined) return { ok: false, missing: false, problem: `no readable ${MANIFEST_FILE}` };
  let manifest: ImageManifest;
  try {
    manifest = parseManifest(data, join(dir, MANIFEST_FILE));
  } catch (e) {
    return { ok: false, missing: false, problem: (e as Error).message };
  }
  const files: [string, { bytes: number; sha256: string }][] = [
    [KERNEL_FILE, manifest.kernel],
    [INITRAMFS_FILE, manifest.initramfs],
    ...manifest.segments.map((s): [string, { bytes: number; sha256: string }] => [s.file, s]),
  ];
  for (const [file, facts] of files) {
    const path = join(dir, file);
    const size = await stat(path).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) return { ok: false, missing: false, problem: `${file} is missing` };
    if (size !== facts.bytes) return { ok: false, missing: false, problem: `${file} has ${size} bytes, the manifest says ${facts.bytes}` };
    if (options.verify && (await sha256File(path)) !== facts.sha256) {
      return { ok: false, missing: false, problem: `${file} does not match the sha256 in the manifest` };
    }
  }
  return { ok: true, image: guestImage(dir, manifest) };
}

export function guestImage(dir: string, manifest: ImageManifest): GuestImage {
  return {
    dir,
    kernel: join(dir, KERNEL_FILE),
    initramfs: join(dir, INITRAMFS_FILE),
    manifest,
    hash: imageHash(manifest),
  };
}

/** The manifest as written to disk: fixed key order, no timestamps, so equal images give equal files. */
export function manifestText(manifest: ImageManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

export async function writeManifest(dir: string, manifest: ImageManifest): Promise<void> {
  await writeFileAtomic(join(dir, MANIFEST_FILE), manifestText(manifest));
}
