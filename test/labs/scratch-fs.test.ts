import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeScratchFilesystem } from '../../src/labs/scratch-fs.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hvb-lab-fs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the KVM lab's /tmp disk", () => {
  it('is a sparse raw file of the size with an empty ext4 on it', async () => {
    const path = join(dir, 'scratch.raw');
    await makeScratchFilesystem(path, 1);
    const st = await stat(path);
    expect(st.size).toBe(1024 ** 3);
    // Sparse: only the metadata mke2fs wrote takes room.
    expect(st.blocks * 512).toBeLessThan(st.size / 4);
    // The ext2/3/4 superblock magic 0xEF53 at byte 1024 + 56, and the ext4-only extents feature.
    const file = await open(path, 'r');
    const sb = Buffer.alloc(1024);
    await file.read(sb, 0, 1024, 1024);
    await file.close();
    expect(sb.readUInt16LE(56)).toBe(0xef53);
    const incompat = sb.readUInt32LE(96);
    expect(incompat & 0x40).toBe(0x40);
    expect(sb.subarray(120, 136).toString('latin1').replace(/\0+$/, '')).toBe('hvb-lab-tmp');
    // Made anew each boot: a second call replaces the file.
    await makeScratchFilesystem(path, 1);
    expect((await stat(path)).size).toBe(1024 ** 3);
  });

  it('names the file and quotes mke2fs when it fails, and leaves no file', async () => {
    const path = join(dir, 'empty.raw');
    const made = makeScratchFilesystem(path, 0);
    await expect(made).rejects.toThrow(/cannot make the KVM lab's \/tmp disk .*empty\.raw: .+/);
    await expect(made).rejects.toMatchObject({ code: 'lab-disk-failed', hint: expect.stringMatching(/e2fsprogs/) });
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
  });
});
