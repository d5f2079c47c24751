import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aptListsFingerprint, assignRoles } from '../../src/guest/resolve.ts';
import { DEFAULT_RECIPE } from '../../src/guest/recipe.ts';

let lists: string;
beforeAll(async () => {
  lists = await mkdtemp(join(tmpdir(), 'hvb-lists-'));
});
afterAll(async () => {
  await rm(lists, { recursive: true, force: true });
});

describe('package roles', () => {
  it('marks the kernel, busybox, the tools and everything else as dependencies, sorted by name', () => {
    const kernel = { name: 'linux-image-6.1.0-99-amd64', version: '6.1.999-1', arch: 'amd64' };
    const closure = [
      { name: 'libc6', version: '2.36-9', arch: 'amd64' },
      { name: 'sysbench', version: '1.0.20', arch: 'amd64' },
      { name: 'busybox-static', version: '1:1.35.0-4', arch: 'amd64' },
      { name: 'libc6', version: '2.36-9', arch: 'amd64' },
    ];
    expect(assignRoles(DEFAULT_RECIPE, kernel, closure).map((p) => `${p.name}:${p.role}`)).toEqual([
      'busybox-static:busybox',
      'libc6:dependency',
      'linux-image-6.1.0-99-amd64:kernel',
      'sysbench:tool',
    ]);
  });
});

describe('apt lists fingerprint', () => {
  it('changes when a Packages list changes and ignores other files', async () => {
    await writeFile(join(lists, 'mirror_dists_bookworm_main_binary-amd64_Packages.lz4'), 'one');
    const first = await aptListsFingerprint(lists);
    await writeFile(join(lists, 'lock'), '');
    expect(await aptListsFingerprint(lists)).toBe(first);
    await utimes(join(lists, 'mirror_dists_bookworm_main_binary-amd64_Packages.lz4'), new Date(2020, 1, 1), new Date(2020, 1, 1));
    expect(await aptListsFingerprint(lists)).not.toBe(first);
  });
});
