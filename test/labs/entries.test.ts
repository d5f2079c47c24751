import { describe, expect, it } from 'vitest';
import { writeCpio } from '../../src/guest/cpio.ts';
import { PackageTree } from '../../src/guest/tree.ts';
import { bootSegmentEntries, labInitramfsEntries, type LabInitramfsContent } from '../../src/labs/entries.ts';
import { xenLabRecipe } from '../../src/labs/recipe.ts';

const KVER = '6.1.0-99-amd64';

function content(): LabInitramfsContent {
  const tree = new PackageTree();
  tree.set('/usr', { kind: 'dir', pkg: 'x' });
  tree.set('/usr/lib/xen-4.17/bin/xl', { kind: 'file', pkg: 'xen-utils-4.17', source: '/nonexistent/xl', size: 1, executable: true });
  tree.set('/etc/xen/scripts', { kind: 'dir', pkg: 'xen-utils-common' });
  tree.set('/etc/xen/scripts/block', { kind: 'file', pkg: 'xen-utils-common', source: '/nonexistent/block', size: 1, executable: true });
  return {
    recipe: xenLabRecipe(),
    init: Buffer.from('#!/bin/busybox sh\n'),
    busybox: '/nonexistent/busybox',
    applets: ['bin/busybox', 'bin/sh', 'sbin/insmod', 'usr/sbin/xl'],
    kver: KVER,
    moduleDir: '/nonexistent/modules',
    modules: {
      modules: [{ name: 'xenfs', builtin: false, path: `/lib/modules/${KVER}/kernel/xenfs.ko`, depends: [] }],
      loadLists: new Map([['xenfs', [`/lib/modules/${KVER}/kernel/xenfs.ko`]]]),
      files: ['kernel/xenfs.ko'],
    },
    tree,
    files: ['/etc/xen/scripts', '/etc/xen/scripts/block', '/usr/lib/xen-4.17/bin/xl'],
    imageId: '0123456789abcdef',
  };
}

describe('lab initramfs members', () => {
  const entries = labInitramfsEntries(content());
  const byPath = new Map(entries.map((e) => [e.path, e]));

  it('are sorted with parents first', () => {
    const paths = entries.map((e) => e.path);
    expect(paths).toEqual([...paths].sort());
  });

  it('hold /init, root with its shell, the dirs dropbear and Xen need, and the lab kind', () => {
    expect(byPath.get('init')).toMatchObject({ kind: 'file', mode: 0o755 });
    const data = (p: string) => {
      const e = byPath.get(p);
      return e?.kind === 'file' && 'data' in e ? e.data.toString() : undefined;
    };
    expect(data('etc/passwd')).toBe('root:x:0:0:root:/root:/bin/sh\n');
    expect(data('etc/shells')).toBe('/bin/sh\n');
    expect(data('etc/hvb-lab/lab')).toBe('xen\n');
    expect(data('etc/hvb-lab/image')).toBe(`kernel=${KVER}\nimage=0123456789abcdef\nvariant=xen\n`);
    expect(data('lib/hvb-lab/modules/xenfs')).toBe(`/lib/modules/${KVER}/kernel/xenfs.ko\n`);
    expect(byPath.get('root')).toMatchObject({ kind: 'dir', mode: 0o700 });
    expect(byPath.get('root/.ssh')).toMatchObject({ kind: 'dir', mode: 0o700 });
    expect(byPath.get('var/lock')).toMatchObject({ kind: 'dir' });
    expect(byPath.get('var/tmp')).toMatchObject({ kind: 'dir', mode: 0o1777 });
    expect(byPath.get('var/run')).toEqual({ path: 'var/run', kind: 'symlink', target: '/run' });
    expect(byPath.get('dev/console')).toMatchObject({ kind: 'chardev', major: 5, minor: 1 });
  });

  it('copy package files and whole trees; recipe links win over busybox applets', () => {
    expect(byPath.get('etc/xen/scripts')).toMatchObject({ kind: 'dir' });
    expect(byPath.get('etc/xen/scripts/block')).toMatchObject({ kind: 'file', mode: 0o755 });
    expect(byPath.get('usr/sbin/xl')).toEqual({ path: 'usr/sbin/xl', kind: 'symlink', target: '/usr/lib/xen-4.17/bin/xl' });
    expect(byPath.get('bin/sh')).toEqual({ path: 'bin/sh', kind: 'symlink', target: '/bin/busybox' });
  });

  it('the per-boot archive carries the nonce and the client key, and is the same bytes for the same input', async () => {
    const seg = bootSegmentEntries('ab'.repeat(12), 'ssh-ed25519 AAAAkey hvbench-lab\n');
    expect(seg.map((e) => e.path)).toEqual(['etc', 'etc/hvb-lab', 'etc/hvb-lab/authorized_keys', 'etc/hvb-lab/nonce']);
    expect(seg[2]).toMatchObject({ mode: 0o600, data: Buffer.from('ssh-ed25519 AAAAkey hvbench-lab\n') });
    const a = await writeCpio(seg);
    const b = await writeCpio(bootSegmentEntries('ab'.repeat(12), 'ssh-ed25519 AAAAkey hvbench-lab'));
    expect(a.equals(b)).toBe(true);
  });
});
