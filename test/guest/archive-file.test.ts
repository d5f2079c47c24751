import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCpioGz } from '../../src/guest/archive-file.ts';
import { writeCpio, type CpioEntry } from '../../src/guest/cpio.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hvb-gz-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entries: CpioEntry[] = [
  { path: 'etc', kind: 'dir', mode: 0o755 },
  { path: 'etc/data', kind: 'file', mode: 0o644, data: Buffer.alloc(300_000, 'hvbench ') },
  { path: 'init', kind: 'file', mode: 0o755, read: async () => Buffer.from('#!/bin/sh\n') },
];

describe('gzip-compressed initramfs file', () => {
  it('is byte-identical across writes, with mtime 0 in the gzip header', async () => {
    const a = await writeCpioGz(entries, join(dir, 'a.gz'));
    const b = await writeCpioGz(entries, join(dir, 'b.gz'));
    const bytes = await readFile(join(dir, 'a.gz'));
    expect(bytes.equals(await readFile(join(dir, 'b.gz')))).toBe(true);
    expect(a).toEqual(b);
    expect([bytes[0], bytes[1], bytes[2]]).toEqual([0x1f, 0x8b, 8]);
    expect(bytes.readUInt32LE(4)).toBe(0); // MTIME
    expect(bytes[3]).toBe(0); // FLG: no file name, no comment
    expect(bytes[8]).toBe(2); // XFL: maximum compression
  });

  it('reports size, sha256, unpacked size and entries of what it wrote', async () => {
    const facts = await writeCpioGz(entries, join(dir, 'c.gz'));
    const bytes = await readFile(join(dir, 'c.gz'));
    const cpio = await writeCpio(entries);
    expect(gunzipSync(bytes).equals(cpio)).toBe(true);
    expect(facts).toEqual({
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      unpackedBytes: cpio.length,
      entries: 3,
    });
  });
});
