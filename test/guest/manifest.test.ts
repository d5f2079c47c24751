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

  it('lists the segments and how the guest programs were compiled', () => {
    const text = formatManifest(sampleManifest);
    expect(text).toMatch(/^segment {4}fio {8}2\.9 MiB gzip, 8\.6 MiB unpacked {2}fio {2}sha256 1{64}$/m);
    expect(text).toContain('program    hvb-micro (source sha256 3333');
    expect(text).toContain('gcc -O2 -static -s -o hvb-micro hvb-micro.c');
  });

  it('hashes kernel, initramfs and segments into a 16-digit image hash', () => {
    expect(imageHash(sampleManifest)).toMatch(/^[0-9a-f]{16}$/);
    expect(imageHash({ ...sampleManifest, initramfs: { ...sampleManifest.initramfs, sha256: h('0') } })).not.toBe(imageHash(sampleManifest));
    const [fio, micro] = sampleManifest.segments;
    expect(imageHash({ ...sampleManifest, segments: [fio!, { ...micro!, sha256: h('9') }] })).not.toBe(imageHash(sampleManifest));
  });

  it('rejects a manifest of the older layout, so the image is built again', () => {
    expect(() => parseManifest({ ...sampleManifest, schema: 1 }, 'manifest.json')).toThrow(/manifest.json is not a valid guest image manifest: schema/);
  });
});

describe('image id', () => {
  const packages = [
    { name: 'sysbench', version: '1.0.20+ds-5' },
    { name: 'libc6', version: '2.36-9' },
  ];
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

  it('changes with the extra inputs: helper scripts, program sources and the toolchain', () => {
    const extra = ['helper hvb-dev aaaa', 'program hvb-micro bbbb gcc 12.2.0 libc6-dev 2.36'];
    const id = imageId(DEFAULT_RECIPE, packages, agent, extra);
    expect(id).not.toBe(imageId(DEFAULT_RECIPE, packages, agent));
    expect(imageId(DEFAULT_RECIPE, packages, agent, [extra[0]!, 'program hvb-micro bbbb gcc 13.1.0 libc6-dev 2.36'])).not.toBe(id);
  });
});
