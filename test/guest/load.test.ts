import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachePaths } from '../../src/guest/cache.ts';
import type { ImageManifest } from '../../src/guest/image.ts';
import { manifestText } from '../../src/guest/image-dir.ts';
import { loadImage, recordCurrentImage } from '../../src/guest/load.ts';
import { imageHash } from '../../src/guest/manifest.ts';
import { DEFAULT_RECIPE } from '../../src/guest/recipe.ts';
import { sampleManifest } from './fixtures/manifest.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let cacheDir: string;
const agent = Buffer.from('#!/bin/sh\necho agent\n');
const kernel = Buffer.from('fake kernel bytes');
const initramfs = Buffer.from('fake initramfs bytes');
const helper = Buffer.from('#!/bin/sh\necho helper\n');

async function writeImage(manifest: ImageManifest, files = { kernel, initramfs }): Promise<string> {
  const dir = cachePaths.image(cacheDir, manifest.id);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'vmlinuz'), files.kernel);
  await writeFile(join(dir, 'initramfs.cpio.gz'), files.initramfs);
  await writeFile(join(dir, 'manifest.json'), manifestText(manifest));
  return dir;
}

const manifest: ImageManifest = {
  ...sampleManifest,
  segments: [],
  kernel: { ...sampleManifest.kernel, sha256: sha(kernel), bytes: kernel.length },
  initramfs: { ...sampleManifest.initramfs, sha256: sha(initramfs), bytes: initramfs.length },
  agent: { sha256: sha(agent), helpers: { 'hvb-dev': sha(helper), 'hvb-fresh': sha(helper) } },
};

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'hvb-load-'));
  await writeFile(join(cacheDir, 'agent.sh'), agent);
  await writeFile(join(cacheDir, 'other-agent.sh'), '#!/bin/sh\necho newer\n');
  await mkdir(join(cacheDir, 'helpers'));
  await writeFile(join(cacheDir, 'helpers', 'hvb-dev.sh'), helper);
  await writeFile(join(cacheDir, 'helpers', 'hvb-fresh.sh'), helper);
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

describe('loadImage', () => {
  it('says to build an image when none was built', async () => {
    await expect(loadImage({ cacheDir, agentPath: join(cacheDir, 'agent.sh') })).rejects.toThrow('no guest image built yet; run `hvbench image build`');
  });

  it('opens the image last built for the recipe, and one by id', async () => {
    const dir = await writeImage(manifest);
    await recordCurrentImage(cacheDir, DEFAULT_RECIPE, manifest.id);
    const image = await loadImage({ cacheDir, agentPath: join(cacheDir, 'agent.sh'), helpersDir: join(cacheDir, 'helpers'), verify: true });
    expect(image).toEqual({
      dir,
      kernel: join(dir, 'vmlinuz'),
      initramfs: join(dir, 'initramfs.cpio.gz'),
      manifest,
      hash: imageHash(manifest),
    });
    expect((await loadImage({ cacheDir, id: manifest.id })).dir).toBe(dir);
  });

  it('calls the image stale when the agent or a helper changed since it was built', async () => {
    await expect(loadImage({ cacheDir, agentPath: join(cacheDir, 'other-agent.sh') })).rejects.toThrow(/carries an older agent/);
    await expect(loadImage({ cacheDir, agentPath: join(cacheDir, 'agent.sh'), helpersDir: cacheDir })).resolves.toBeDefined();
    await writeFile(join(cacheDir, 'hvb-dev.sh'), '#!/bin/sh\necho changed\n');
    await writeFile(join(cacheDir, 'hvb-fresh.sh'), helper);
    await expect(loadImage({ cacheDir, agentPath: join(cacheDir, 'agent.sh'), helpersDir: cacheDir })).rejects.toThrow(/older agent helper scripts/);
  });

  it('reports a missing id and a damaged image', async () => {
    await expect(loadImage({ cacheDir, id: 'ffffffffffffffff' })).rejects.toThrow('no guest image ffffffffffffffff in');
    await expect(loadImage({ cacheDir, id: 'nope' })).rejects.toThrow(/16 hex digits/);
    const damaged = { ...manifest, id: '1111111111111111' };
    await writeImage(damaged, { kernel, initramfs: Buffer.from('short') });
    await expect(loadImage({ cacheDir, id: damaged.id })).rejects.toThrow(
      `guest image ${damaged.id} is damaged: initramfs.cpio.gz has 5 bytes, the manifest says ${initramfs.length}`,
    );
    const tampered = { ...manifest, id: '2222222222222222' };
    await writeImage(tampered, { kernel: Buffer.from('FAKE kernel bytes'), initramfs });
    await expect(loadImage({ cacheDir, id: tampered.id })).resolves.toBeDefined();
    await expect(loadImage({ cacheDir, id: tampered.id, verify: true })).rejects.toThrow(/vmlinuz does not match the sha256/);
  });
});
