import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryClosure } from '../../src/guest/libs.ts';
import { PackageTree } from '../../src/guest/tree.ts';
import { dynamicElf } from './fixtures/elf.ts';

const LOADER = '/lib64/ld-linux-x86-64.so.2';
let root: string;
let trees = 0;

type Spec = Record<string, Buffer | { link: string }>;

async function makePackage(base: string, name: string, files: Spec): Promise<{ pkg: string; dir: string }> {
  const dir = join(base, name);
  for (const [path, content] of Object.entries(files)) {
    const host = join(dir, path);
    await mkdir(dirname(host), { recursive: true });
    if (Buffer.isBuffer(content)) await writeFile(host, content, { mode: 0o755 });
    else await symlink(content.link, host);
  }
  return { pkg: name, dir };
}

/** A fresh set of unpacked fake packages: a tool with a private library, libfoo, libc6 and libgcc-s1. */
async function treeOf(extra: Spec = {}): Promise<PackageTree> {
  const base = join(root, String(trees++));
  return PackageTree.load([
    await makePackage(base, 'tool', {
      '/usr/bin/tool': dynamicElf({ needed: ['libfoo.so.1', 'libprivate.so', 'libc.so.6'], runpath: '$ORIGIN/../lib/tool', interpreter: LOADER }),
      '/usr/lib/tool/libprivate.so': dynamicElf({ needed: ['libc.so.6'] }),
      '/usr/share/doc/tool/README': Buffer.from('not copied'),
      ...extra,
    }),
    await makePackage(base, 'libfoo1', {
      '/usr/lib/x86_64-linux-gnu/libfoo.so.1': { link: 'libfoo.so.1.2.3' },
      '/usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3': dynamicElf({ needed: ['libc.so.6'] }),
    }),
    await makePackage(base, 'libc6', {
      '/lib/x86_64-linux-gnu/libc.so.6': dynamicElf({ interpreter: LOADER }),
      '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2': dynamicElf(),
      [LOADER]: { link: '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2' },
    }),
    await makePackage(base, 'libgcc-s1', { '/lib/x86_64-linux-gnu/libgcc_s.so.1': dynamicElf({ needed: ['libc.so.6'] }) }),
  ]);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'hvb-libs-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('shared library closure', () => {
  it('collects programs, libraries (runpath with $ORIGIN, default dirs), the loader, libgcc_s and the symlinks on the way', async () => {
    const tree = await treeOf();
    expect(await libraryClosure(tree, ['/usr/bin/tool'], ['libgcc_s.so.1'])).toEqual([
      '/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib/x86_64-linux-gnu/libgcc_s.so.1',
      LOADER,
      '/usr/bin/tool',
      '/usr/lib/tool/libprivate.so',
      '/usr/lib/x86_64-linux-gnu/libfoo.so.1',
      '/usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3',
    ]);
  });

  it('names the binary and the soname when no package provides a library', async () => {
    const tree = await treeOf({ '/usr/bin/tool2': dynamicElf({ needed: ['libnothere.so.9'], interpreter: LOADER }) });
    await expect(libraryClosure(tree, ['/usr/bin/tool2'], [])).rejects.toThrow(
      '/usr/bin/tool2 needs the shared library libnothere.so.9, which no package in the image provides',
    );
  });

  it('names a program missing from its package', async () => {
    const tree = await treeOf();
    await expect(libraryClosure(tree, ['/usr/bin/nope'], [])).rejects.toThrow('the guest recipe needs /usr/bin/nope');
  });

  it('copies a program that is not ELF (a script) without looking for libraries', async () => {
    const tree = await treeOf({ '/usr/bin/script': Buffer.from('#!/bin/sh\necho hi\n') });
    expect(await libraryClosure(tree, ['/usr/bin/script'], [])).toContain('/usr/bin/script');
  });
});

describe('package tree', () => {
  it('resolves relative, absolute and directory symlinks and reports each link passed', () => {
    const tree = new PackageTree();
    tree.set('/usr', { kind: 'dir', pkg: 'p' });
    tree.set('/usr/lib', { kind: 'dir', pkg: 'p' });
    tree.set('/usr/lib/real.so', { kind: 'file', pkg: 'p', source: '/x', size: 1, executable: false });
    tree.set('/lib', { kind: 'symlink', pkg: 'p', target: 'usr/lib' });
    tree.set('/usr/lib/a.so', { kind: 'symlink', pkg: 'p', target: '../lib/real.so' });
    tree.set('/usr/lib/b.so', { kind: 'symlink', pkg: 'p', target: '/lib/a.so' });
    expect(tree.resolve('/lib/b.so')).toEqual({
      path: '/usr/lib/real.so',
      node: { kind: 'file', pkg: 'p', source: '/x', size: 1, executable: false },
      links: ['/lib', '/usr/lib/b.so', '/lib', '/usr/lib/a.so'],
    });
    expect(tree.resolve('/lib/missing.so')).toBeUndefined();
  });

  it('stops on a symlink loop with a clear error', () => {
    const tree = new PackageTree();
    tree.set('/a', { kind: 'symlink', pkg: 'p', target: 'b' });
    tree.set('/b', { kind: 'symlink', pkg: 'p', target: 'a' });
    expect(() => tree.resolve('/a')).toThrow('too many symbolic links while resolving /a');
  });
});
