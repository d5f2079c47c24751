import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCpio } from '../../src/guest/cpio.ts';
import type { GuestImage, ImageManifest } from '../../src/guest/image.ts';
import { initramfsFor, initrdFor, initrdHash, segmentsFor } from '../../src/guest/initrd.ts';
import { readCpio } from './fixtures/cpio-reader.ts';
import { sampleManifest } from './fixtures/manifest.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
let dir: string;
let image: GuestImage;
const archive = async (path: string, text: string) => gzipSync(await writeCpio([{ path, kind: 'file', mode: 0o644, data: Buffer.from(text) }]));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hvb-initrd-'));
  await mkdir(join(dir, 'segments'));
  const base = await archive('base', 'base\n');
  const fio = await archive('usr/bin/fio', 'fio\n');
  const micro = await archive('usr/bin/hvb-micro', 'micro\n');
  await writeFile(join(dir, 'initramfs.cpio.gz'), base);
  await writeFile(join(dir, 'segments/fio.cpio.gz'), fio);
  await writeFile(join(dir, 'segments/micro.cpio.gz'), micro);
  const [fioSeg, microSeg] = sampleManifest.segments;
  const manifest: ImageManifest = {
    ...sampleManifest,
    initramfs: { ...sampleManifest.initramfs, sha256: sha(base), bytes: base.length },
    segments: [
      { ...fioSeg!, sha256: sha(fio), bytes: fio.length },
      { ...microSeg!, sha256: sha(micro), bytes: micro.length },
    ],
  };
  image = { dir, kernel: join(dir, 'vmlinuz'), initramfs: join(dir, 'initramfs.cpio.gz'), manifest, hash: 'h' };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the initrd of a case', () => {
  it('is the base alone when the base has every tool', async () => {
    const initrd = await initrdFor(image, ['sysbench']);
    expect(initrd).toEqual({ path: image.initramfs, hash: initrdHash([image.manifest.initramfs]), segments: [], bytes: image.manifest.initramfs.bytes });
    expect(await initramfsFor(image, [])).toBe(image.initramfs);
  });

  it('appends the segments of the tools, once each, in manifest order', async () => {
    expect(segmentsFor(image, ['hvb-micro', 'fio', 'fio', 'sysbench']).map((s) => s.name)).toEqual(['fio', 'micro']);
    const initrd = await initrdFor(image, ['hvb-micro', 'fio']);
    expect(initrd.segments).toEqual(['fio', 'micro']);
    expect(initrd.path).toBe(join(dir, 'initrds', `${initrd.hash}.cpio.gz`));
    const bytes = await readFile(initrd.path);
    const parts = await Promise.all(['initramfs.cpio.gz', 'segments/fio.cpio.gz', 'segments/micro.cpio.gz'].map((f) => readFile(join(dir, f))));
    expect(bytes.equals(Buffer.concat(parts))).toBe(true);
    // The kernel unpacks the archives one after the other; gunzip reads the members the same way.
    const unpacked = gunzipSync(bytes);
    const names: string[] = [];
    for (let rest = unpacked; rest.length > 0; ) {
      const { members, end } = readCpio(rest);
      names.push(...members.map((m) => m.name));
      rest = rest.subarray(end);
    }
    expect(names).toEqual(['base', 'usr/bin/fio', 'usr/bin/hvb-micro']);
  });

  it('is made once and reused, with a hash that depends on the archives and their order', async () => {
    const a = await initrdFor(image, ['fio']);
    const before = (await stat(a.path)).mtimeMs;
    const again = await initrdFor(image, ['fio']);
    expect(again).toEqual(a);
    expect((await stat(a.path)).mtimeMs).toBe(before);
    expect(a.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(a.hash).not.toBe((await initrdFor(image, ['hvb-micro'])).hash);
    const [base, fio] = [image.manifest.initramfs, image.manifest.segments[0]!];
    expect(initrdHash([base, fio])).not.toBe(initrdHash([fio, base]));
  });

  it('names the tool the image does not carry, and lists the ones it does', async () => {
    await expect(initrdFor(image, ['iozone'])).rejects.toThrow(/the guest image 0123456789abcdef has no tool "iozone"/);
    expect(() => segmentsFor(image, ['iozone'])).toThrow(expect.objectContaining({ hint: expect.stringContaining('sysbench, fio, hvb-micro') }));
  });
});
