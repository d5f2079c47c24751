import { describe, expect, it } from 'vitest';
import { initramfsEntries, segmentEntries, type InitramfsContent } from '../../src/guest/initramfs.ts';
import { PackageTree } from '../../src/guest/tree.ts';

const KVER = '6.1.0-99-amd64';

function content(): InitramfsContent {
  const tree = new PackageTree();
  tree.set('/usr/bin/sysbench', { kind: 'file', pkg: 'sysbench', source: '/nonexistent/sysbench', size: 10, executable: true });
  tree.set('/usr/lib/x86_64-linux-gnu/libz.so.1', { kind: 'symlink', pkg: 'zlib1g', target: 'libz.so.1.2.13' });
  tree.set('/usr/lib/x86_64-linux-gnu/libz.so.1.2.13', { kind: 'file', pkg: 'zlib1g', source: '/nonexistent/libz', size: 5, executable: false });
  return {
    agent: Buffer.from('#!/bin/sh\n'),
    helpers: [{ name: 'hvb-dev', bytes: Buffer.from('#!/bin/busybox sh\necho dev\n') }],
    busybox: '/nonexistent/busybox',
    applets: ['bin/sh', 'sbin/insmod', 'usr/bin/sysbench', 'bin/busybox'],
    kver: KVER,
    moduleDir: '/nonexistent/modules',
    modules: {
      modules: [
        { name: 'virtio', builtin: false, path: `/lib/modules/${KVER}/kernel/virtio.ko`, depends: [] },
        { name: 'virtio_blk', builtin: false, path: `/lib/modules/${KVER}/kernel/virtio_blk.ko`, depends: ['virtio'] },
        { name: 'sd_mod', builtin: true, depends: [] },
      ],
      loadLists: new Map([
        ['virtio_blk', [`/lib/modules/${KVER}/kernel/virtio.ko`, `/lib/modules/${KVER}/kernel/virtio_blk.ko`]],
        ['sd_mod', []],
      ]),
      files: ['kernel/virtio.ko', 'kernel/virtio_blk.ko'],
    },
    tree,
    files: ['/usr/bin/sysbench', '/usr/lib/x86_64-linux-gnu/libz.so.1', '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13'],
    tools: ['sysbench'],
    imageId: '0123456789abcdef',
  };
}

const body = (e: unknown) => (e as { data?: Buffer }).data?.toString();

describe('initramfs contents', () => {
  const entries = initramfsEntries(content());
  const byPath = new Map(entries.map((e) => [e.path, e]));

  it('is sorted by path with every parent directory before its children', () => {
    const paths = entries.map((e) => e.path);
    expect(paths).toEqual([...paths].sort());
    for (const p of paths) {
      for (let d = p; d.includes('/'); ) {
        d = d.slice(0, d.lastIndexOf('/'));
        expect(byPath.get(d)?.kind, `parent of ${p}`).toBe('dir');
        expect(paths.indexOf(d)).toBeLessThan(paths.indexOf(p));
      }
    }
  });

  it('has /init (0755), the base directories and /dev/console', () => {
    expect(byPath.get('init')).toMatchObject({ kind: 'file', mode: 0o755 });
    expect(body(byPath.get('init'))).toBe('#!/bin/sh\n');
    for (const d of ['proc', 'sys', 'dev', 'tmp', 'run', 'mnt', 'root', 'etc']) expect(byPath.get(d)?.kind).toBe('dir');
    expect(byPath.get('tmp')).toMatchObject({ mode: 0o1777 });
    expect(byPath.get('dev/console')).toMatchObject({ kind: 'chardev', major: 5, minor: 1 });
  });

  it('links each busybox applet to /bin/busybox, except where a package file lives', () => {
    expect(byPath.get('bin/busybox')).toMatchObject({ kind: 'file', mode: 0o755 });
    expect(byPath.get('bin/sh')).toEqual({ path: 'bin/sh', kind: 'symlink', target: '/bin/busybox' });
    expect(byPath.get('sbin/insmod')).toMatchObject({ kind: 'symlink', target: '/bin/busybox' });
    expect(byPath.get('usr/bin/sysbench')).toMatchObject({ kind: 'file', mode: 0o755 });
  });

  it('keeps library symlinks and their targets', () => {
    expect(byPath.get('usr/lib/x86_64-linux-gnu/libz.so.1')).toMatchObject({ kind: 'symlink', target: 'libz.so.1.2.13' });
    expect(byPath.get('usr/lib/x86_64-linux-gnu/libz.so.1.2.13')).toMatchObject({ kind: 'file', mode: 0o644 });
  });

  it('ships the modules, modules.dep and one load list per requested module', () => {
    expect(byPath.get(`lib/modules/${KVER}/kernel/virtio_blk.ko`)?.kind).toBe('file');
    expect(body(byPath.get(`lib/modules/${KVER}/modules.dep`))).toBe('kernel/virtio.ko:\nkernel/virtio_blk.ko: kernel/virtio.ko\n');
    expect(body(byPath.get('lib/hvb/modules/virtio_blk'))).toBe(`/lib/modules/${KVER}/kernel/virtio.ko\n/lib/modules/${KVER}/kernel/virtio_blk.ko\n`);
    expect(body(byPath.get('lib/hvb/modules/sd_mod'))).toBe('');
  });

  it('describes itself in /etc/hvb', () => {
    expect(body(byPath.get('etc/hvb/tools'))).toBe('sysbench\n');
    expect(body(byPath.get('etc/hvb/image'))).toBe(`kernel=${KVER}\nimage=0123456789abcdef\n`);
  });

  it('installs the agent helpers as commands', () => {
    expect(byPath.get('usr/bin/hvb-dev')).toMatchObject({ kind: 'file', mode: 0o755 });
    expect(body(byPath.get('usr/bin/hvb-dev'))).toContain('echo dev');
  });
});

describe('segment contents', () => {
  const c = content();
  const entries = segmentEntries({
    name: 'fio',
    tree: c.tree,
    files: ['/usr/lib/x86_64-linux-gnu/libz.so.1', '/usr/lib/x86_64-linux-gnu/libz.so.1.2.13'],
    programs: [{ name: 'hvb-micro', bytes: Buffer.from('\x7fELF') }],
    tools: ['fio', 'hvb-micro'],
  });
  const byPath = new Map(entries.map((e) => [e.path, e]));

  it('holds only its own files, programs and parent directories, sorted', () => {
    const paths = entries.map((e) => e.path);
    expect(paths).toEqual([...paths].sort());
    expect(paths).toEqual([
      'etc',
      'etc/hvb',
      'etc/hvb/segments',
      'etc/hvb/segments/fio',
      'usr',
      'usr/bin',
      'usr/bin/hvb-micro',
      'usr/lib',
      'usr/lib/x86_64-linux-gnu',
      'usr/lib/x86_64-linux-gnu/libz.so.1',
      'usr/lib/x86_64-linux-gnu/libz.so.1.2.13',
    ]);
    expect(byPath.get('usr/bin/hvb-micro')).toMatchObject({ kind: 'file', mode: 0o755 });
    expect(body(byPath.get('etc/hvb/segments/fio'))).toBe('fio\nhvb-micro\n');
    expect(byPath.has('init')).toBe(false);
  });
});
