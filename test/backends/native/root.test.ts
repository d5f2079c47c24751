import { lstat, mkdtemp, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNativeBackend } from '../../../src/backends/native/native.ts';
import { nativeRoot, unpack } from '../../../src/backends/native/root.ts';
import { newcHeader, writeCpio, type CpioEntry } from '../../../src/guest/cpio.ts';
import { readCpioMembers } from '../../../src/guest/cpio-read.ts';
import { LocalHost } from '../../../src/hosts/local.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hvb-native-root-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const base: CpioEntry[] = [
  { path: 'bin', kind: 'dir', mode: 0o755 },
  { path: 'bin/busybox', kind: 'file', mode: 0o755, data: Buffer.from('#!fake\n') },
  { path: 'bin/sh', kind: 'symlink', target: '/bin/busybox' },
  { path: 'dev', kind: 'dir', mode: 0o755 },
  { path: 'dev/console', kind: 'chardev', mode: 0o600, major: 5, minor: 1 },
  { path: 'etc', kind: 'dir', mode: 0o755 },
  { path: 'etc/tools', kind: 'file', mode: 0o644, data: Buffer.from('sysbench\n') },
  { path: 'init', kind: 'file', mode: 0o755, data: Buffer.from('#!/bin/busybox sh\n# no native support\n') },
  { path: 'tmp', kind: 'dir', mode: 0o1777 },
];

/** An archive whose member names are taken as given (the writer would refuse some of them). */
function rawCpio(names: string[]): Buffer {
  const parts = names.map((name, i) => newcHeader({ ino: i + 1, mode: 0o100644, nlink: 1, mtime: 0, filesize: 0, rdevmajor: 0, rdevminor: 0, name }));
  return Buffer.concat([...parts, newcHeader({ ino: 0, mode: 0, nlink: 1, mtime: 0, filesize: 0, rdevmajor: 0, rdevminor: 0, name: 'TRAILER!!!' })]);
}

describe('unpacking the image root', () => {
  it('writes files with their modes and symlinks, and leaves device nodes out', async () => {
    const root = join(dir, 'root');
    await unpack(gzipSync(await writeCpio(base)), root, 'test.cpio.gz');
    expect((await stat(join(root, 'bin/busybox'))).mode & 0o7777).toBe(0o755);
    expect((await stat(join(root, 'tmp'))).mode & 0o7777).toBe(0o1777);
    expect(await readlink(join(root, 'bin/sh'))).toBe('/bin/busybox');
    expect(await readFile(join(root, 'etc/tools'), 'utf8')).toBe('sysbench\n');
    await expect(lstat(join(root, 'dev/console'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('unpacks a base followed by a segment, the later archive winning', async () => {
    const segment: CpioEntry[] = [
      { path: 'etc', kind: 'dir', mode: 0o755 },
      { path: 'etc/tools', kind: 'file', mode: 0o644, data: Buffer.from('fio\n') },
      { path: 'usr/bin/fio', kind: 'file', mode: 0o755, data: Buffer.from('fio') },
    ];
    const root = join(dir, 'root');
    await unpack(Buffer.concat([gzipSync(await writeCpio(base)), gzipSync(await writeCpio(segment))]), root, 'initrd');
    expect(await readFile(join(root, 'etc/tools'), 'utf8')).toBe('fio\n');
    expect(await readFile(join(root, 'usr/bin/fio'), 'utf8')).toBe('fio');
    expect(await readFile(join(root, 'bin/busybox'), 'utf8')).toBe('#!fake\n');
  });

  it('refuses names that leave the root and members under a symlink', async () => {
    expect(() => readCpioMembers(rawCpio(['a/../../etc/passwd']))).toThrow(/must be a relative path without "\.\."/);
    expect(() => readCpioMembers(rawCpio(['/etc/passwd']))).toThrow(/must be a relative path/);
    const escaping: CpioEntry[] = [
      { path: 'lib', kind: 'symlink', target: dir },
      { path: 'lib/planted', kind: 'file', mode: 0o644, data: Buffer.from('x') },
    ];
    await expect(unpack(await writeCpio(escaping), join(dir, 'root'), 'evil')).rejects.toThrow(
      /lib\/planted lies under lib, which is not a folder in the archive/,
    );
    await expect(stat(join(dir, 'planted'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a damaged archive with a clear error', () => {
    expect(() => readCpioMembers(Buffer.alloc(200, 'x'), 'x.cpio')).toThrow(/^x\.cpio: expected the newc magic 070701/);
    expect(() => readCpioMembers(rawCpio(['a']).subarray(0, 120), 'cut.cpio')).toThrow(/cut\.cpio: .*(ends inside an archive|runs past the end)/);
  });

  it('caches one root per initramfs content', async () => {
    const file = join(dir, 'initramfs.cpio.gz');
    await writeFile(file, gzipSync(await writeCpio(base)));
    const one = await nativeRoot(file, join(dir, 'cache'));
    const two = await nativeRoot(file, join(dir, 'cache'));
    expect(two).toEqual(one);
    expect(one.dir).toBe(join(dir, 'cache', 'native', one.sha256.slice(0, 16)));
  });

  it('refuses to launch an agent that cannot run natively, before starting anything', async () => {
    const file = join(dir, 'initramfs.cpio.gz');
    await writeFile(file, gzipSync(await writeCpio(base)));
    const backend = createNativeBackend({ cacheDir: join(dir, 'cache') });
    const vm = { name: 'x', vcpus: 1, memoryMiB: 64, kernel: '/k', initramfs: file, cmdline: '', disks: [], nics: [], console: 'serial' as const };
    await expect(backend.launch(vm, new LocalHost())).rejects.toMatchObject({ code: 'native-agent' });
    await expect(backend.launch({ ...vm, disks: [{ id: 'd', path: '/d', format: 'raw', model: 'virtio-blk' }] }, new LocalHost())).rejects.toMatchObject({
      code: 'native-devices',
    });
  });
});
