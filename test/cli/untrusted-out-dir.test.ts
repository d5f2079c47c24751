import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutDir, checkOutFile } from '../../src/cli/out-dir.ts';

// The --out checks in-process (the CLI test covers them end to end, with a read-only mount).
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hvb-out-dir-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const usage = (text: string) => ({ code: 'usage', message: expect.stringContaining(text) });

describe('checkOutDir', () => {
  it('accepts a folder to create, an existing folder, and returns it absolute', async () => {
    expect(await checkOutDir(path.join(dir, 'new', 'deeper'))).toBe(path.join(dir, 'new', 'deeper'));
    expect(await checkOutDir(dir)).toBe(dir);
  });

  it('refuses kernel file systems, also through a link, before creating anything', async () => {
    await expect(checkOutDir('/proc/x/y')).rejects.toMatchObject(usage('--out /proc/x/y: is under /proc, a kernel file system'));
    await expect(checkOutDir('/sys')).rejects.toMatchObject(usage('is under /sys'));
    await expect(checkOutDir('/dev/shm/x')).rejects.toMatchObject(usage('is under /dev'));
    await symlink('/proc/self', path.join(dir, 'to-proc'));
    await expect(checkOutDir(path.join(dir, 'to-proc', 'results'))).rejects.toMatchObject(usage('leads to /proc/'));
  });

  it('refuses a file, a path below a file, an empty path, a dangling link, and a folder holding a link when asked', async () => {
    const file = path.join(dir, 'f');
    await writeFile(file, '');
    await expect(checkOutDir(file)).rejects.toMatchObject(usage(`--out ${file}: is a file; expected a folder`));
    await expect(checkOutDir(path.join(file, 'x'))).rejects.toMatchObject(usage(`${file} is a file, not a folder`));
    await expect(checkOutDir(' ')).rejects.toMatchObject(usage('expected a folder, received an empty path'));
    await symlink(path.join(dir, 'missing'), path.join(dir, 'dangling'));
    await expect(checkOutDir(path.join(dir, 'dangling'))).rejects.toMatchObject(usage('is a symbolic link to nothing'));
    const report = path.join(dir, 'report');
    await mkdir(report);
    await expect(checkOutDir(report, { noLinksInside: true })).resolves.toBe(report);
    await symlink(file, path.join(report, 'index.html'));
    await expect(checkOutDir(report, { noLinksInside: true })).rejects.toMatchObject(usage('holds a symbolic link (index.html)'));
    await expect(checkOutDir(report)).resolves.toBe(report);
  });
});

describe('checkOutFile', () => {
  it('accepts a new or existing file in a writable folder', async () => {
    expect(await checkOutFile(path.join(dir, 'a.csv'))).toBe(path.join(dir, 'a.csv'));
    await writeFile(path.join(dir, 'b.csv'), '');
    expect(await checkOutFile(path.join(dir, 'b.csv'))).toBe(path.join(dir, 'b.csv'));
  });

  it('refuses a folder, a link, a missing folder, kernel file systems', async () => {
    await expect(checkOutFile(dir)).rejects.toMatchObject(usage('is a folder; expected a file name'));
    await symlink(path.join(dir, 'b.csv'), path.join(dir, 'link.csv'));
    await expect(checkOutFile(path.join(dir, 'link.csv'))).rejects.toMatchObject(usage('is a symbolic link'));
    await expect(checkOutFile(path.join(dir, 'nope', 'a.csv'))).rejects.toMatchObject(usage('is missing'));
    await expect(checkOutFile('/proc/self/x.csv')).rejects.toMatchObject(usage('is under /proc'));
    await expect(checkOutFile('/dev/null')).rejects.toMatchObject(usage('is under /dev'));
  });
});
