import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createShareFolder, formatExt4 } from '../../src/devices/share-folder.ts';
import type { Host } from '../../src/hosts/host.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { HvbError } from '../../src/util/errors.ts';

const host = new LocalHost();
let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hvb-share-folder-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('share folders', () => {
  it('makes a private folder named after the case in the scratch folder, and removes it with what the guest wrote', async () => {
    const folder = await createShareFolder(host, dir, 'fs-virtiofs');
    expect(folder.path).toBe(join(dir, 'fs-virtiofs.share'));
    expect(statSync(folder.path).mode & 0o777).toBe(0o700);
    await writeFile(join(folder.path, 'hvb-fio.dat'), 'x');
    await folder.remove();
    await folder.remove();
    expect(existsSync(folder.path)).toBe(false);
  });

  it('refuses a name that is not a plain file name', async () => {
    await expect(createShareFolder(host, dir, '../up')).rejects.toThrow(/share folder name "..\/up" must be letters/);
  });
});

describe('ext4 on a scratch disk', () => {
  it('makes a real ext4 (with a journal) on the file, on its host', async () => {
    const disk = join(dir, 'block.raw');
    execFileSync('truncate', ['-s', '64M', disk]);
    await formatExt4(host, disk);
    const said = execFileSync('dumpe2fs', ['-h', disk], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(said).toMatch(/Filesystem features:.*has_journal.*extent/);
  });

  it('says to install e2fsprogs where the host has no mkfs.ext4', async () => {
    const bare = { name: 'far', kind: 'remote', exec: async () => ({ exitCode: 127, stdout: '', stderr: 'mkfs.ext4: not found' }) } as unknown as Host;
    const e = await formatExt4(bare, '/x.raw').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(HvbError);
    expect((e as HvbError).message).toBe('cannot make an ext4 file system on /x.raw: mkfs.ext4: not found');
    expect((e as HvbError).hint).toBe('install e2fsprogs on far (mkfs.ext4)');
  });
});
