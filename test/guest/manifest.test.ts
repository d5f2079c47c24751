import { describe, expect, it } from 'vitest';
import { formatManifest, imageHash, imageId, parseManifest } from '../../src/guest/manifest.ts';
import { DEFAULT_RECIPE, TOOLS } from '../../src/guest/recipe.ts';
import { h, sampleManifest } from './fixtures/manifest.ts';

describe('manifest', () => {
  it('accepts a valid manifest and rejects a wrong field, naming it', () => {
    expect(parseManifest(JSON.parse(JSON.stringify(sampleManifest)), 'manifest.json')).toEqual(sampleManifest);
    const bad = { ...sampleManifest, kernel: { ...sampleManifest.kernel, sha256: 'xyz' } };
    expect(() => parseManifest(bad, 'manifest.json')).toThrow(/manifest.json is not a valid guest image manifest: kernel.sha256/);
  });

  it('formats a readable listing for `hvbench image info`', () => {
    const text = formatManifest(sampleManifest);
    expect(text).toContain(`image      0123456789abcdef (hash ${imageHash(sampleManifest)})`);
    expect(text).toContain('kernel     6.1.0-99-amd64');
    expect(text).toContain('9.5 MiB gzip, 22.9 MiB unpacked, 414 entries');
    expect(text).toMatch(/^ {2}sysbench +1\.0\.20\+ds-5 +tool$/m);
    expect(text).toMatch(/^ {2}sd_mod +built in$/m);
    expect(text).toMatch(/virtio_blk +\/lib\/modules\/.*virtio_blk\.ko {2}\(needs virtio\)$/m);
    expect(text).toContain('tools      sysbench');
  });

  it('hashes kernel + initramfs into a 16-digit image hash', () => {
    expect(imageHash(sampleManifest)).toMatch(/^[0-9a-f]{16}$/);
    expect(imageHash({ ...sampleManifest, initramfs: { ...sampleManifest.initramfs, sha256: h('0') } })).not.toBe(imageHash(sampleManifest));
  });
});

describe('image id', () => {
  const packages = [{ name: 'sysbench', version: '1.0.20+ds-5' }, { name: 'libc6', version: '2.36-9' }];
  const agent = Buffer.from('#!/bin/sh\n');

  it('is 16 hex digits and does not depend on package order', () => {
    const id = imageId(DEFAULT_RECIPE, packages, agent);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(imageId(DEFAULT_RECIPE, [...packages].reverse(), agent)).toBe(id);
  });

  it('changes with the recipe, any package version and the agent bytes', () => {
    const id = imageId(DEFAULT_RECIPE, packages, agent);
    expect(imageId({ ...DEFAULT_RECIPE, tools: [TOOLS.sysbench, TOOLS.fio] }, packages, agent)).not.toBe(id);
    expect(imageId(DEFAULT_RECIPE, [packages[0]!, { name: 'libc6', version: '2.36-10' }], agent)).not.toBe(id);
    expect(imageId(DEFAULT_RECIPE, packages, Buffer.from('#!/bin/sh\n\n'))).not.toBe(id);
  });
});
