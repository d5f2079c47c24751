import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { newcHeader, writeCpio, type CpioEntry } from '../../src/guest/cpio.ts';
import { readCpio } from './fixtures/cpio-reader.ts';

const entries: CpioEntry[] = [
  { path: 'bin', kind: 'dir', mode: 0o755 },
  { path: 'bin/busybox', kind: 'file', mode: 0o755, data: Buffer.from('#!fake busybox\n') },
  { path: 'bin/sh', kind: 'symlink', target: '/bin/busybox' },
  { path: 'dev', kind: 'dir', mode: 0o755 },
  { path: 'dev/console', kind: 'chardev', mode: 0o600, major: 5, minor: 1 },
  { path: 'etc', kind: 'dir', mode: 0o755 },
  { path: 'etc/empty', kind: 'file', mode: 0o644, data: Buffer.alloc(0) },
  { path: 'etc/lazy', kind: 'file', mode: 0o644, read: async () => Buffer.from('abc') },
  { path: 'tmp', kind: 'dir', mode: 0o1777 },
];

describe('newc cpio writer', () => {
  it('writes a 110-byte header with 13 hex fields, the NUL-terminated name and padding to 4 bytes', () => {
    const h = newcHeader({ ino: 1, mode: 0o100644, nlink: 1, mtime: 0, filesize: 3, rdevmajor: 0, rdevminor: 0, name: 'ab' });
    expect(h.toString('latin1', 0, 110)).toBe(
      `070701${['00000001', '000081a4', '00000000', '00000000', '00000001', '00000000', '00000003', '00000000', '00000000', '00000000', '00000000', '00000003', '00000000'].join('')}`,
    );
    expect(h.length).toBe(116); // 110 + "ab\0" = 113, padded to 116
    expect(h.subarray(110).toString('latin1')).toBe('ab\0\0\0\0');
  });

  it('reads back every member with sequential inodes, uid/gid 0, mtime 0 and the right modes', async () => {
    const archive = await writeCpio(entries);
    const { members, end } = readCpio(archive);
    expect(end).toBe(archive.length);
    expect(members.map((m) => m.name)).toEqual(entries.map((e) => e.path));
    expect(members.map((m) => m.ino)).toEqual(entries.map((_, i) => i + 1));
    for (const m of members) {
      expect([m.uid, m.gid, m.mtime, m.check]).toEqual([0, 0, 0, 0]);
    }
    const byName = new Map(members.map((m) => [m.name, m]));
    expect(byName.get('bin')).toMatchObject({ mode: 0o040755, nlink: 2 });
    expect(byName.get('tmp')).toMatchObject({ mode: 0o041777, nlink: 2 });
    expect(byName.get('bin/busybox')).toMatchObject({ mode: 0o100755, nlink: 1 });
    expect(byName.get('bin/busybox')?.data.toString()).toBe('#!fake busybox\n');
    expect(byName.get('bin/sh')).toMatchObject({ mode: 0o120777, nlink: 1 });
    expect(byName.get('bin/sh')?.data.toString()).toBe('/bin/busybox');
    expect(byName.get('dev/console')).toMatchObject({ mode: 0o020600, rdevmajor: 5, rdevminor: 1 });
    expect(byName.get('etc/empty')?.data.length).toBe(0);
    expect(byName.get('etc/lazy')?.data.toString()).toBe('abc');
  });

  it('ends with a TRAILER!!! member and nothing after it', async () => {
    const archive = await writeCpio([]);
    expect(archive.toString('latin1', 110, 120)).toBe('TRAILER!!!');
    expect(archive.length % 4).toBe(0);
    expect(readCpio(archive)).toEqual({ members: [], end: archive.length });
  });

  it('gives the same bytes for the same entries', async () => {
    expect((await writeCpio(entries)).equals(await writeCpio(entries))).toBe(true);
  });

  it('rejects absolute member names', async () => {
    await expect(writeCpio([{ path: '/init', kind: 'dir', mode: 0o755 }])).rejects.toThrow(/relative/);
  });

  it('is read by GNU cpio with the same listing', async () => {
    const archive = await writeCpio(entries);
    const listing = execFileSync('cpio', ['-it', '--quiet'], { input: archive }).toString().trim().split('\n');
    expect(listing).toEqual(entries.map((e) => e.path));
    const verbose = execFileSync('cpio', ['-itv', '--quiet'], { input: archive }).toString();
    expect(verbose).toMatch(/^lrwxrwxrwx .* bin\/sh -> \/bin\/busybox$/m);
    expect(verbose).toMatch(/^crw------- .* 5,\s+1 .* dev\/console$/m);
  });
});
