import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDisk } from '../../src/devices/scratch-disk.ts';
import { LocalHost } from '../../src/hosts/local.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hvb-scratch-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scratch disks', () => {
  it('creates a raw file of the size, fully allocated, and removes it', async () => {
    const disk = await createScratchDisk(new LocalHost(), join(dir, 'scratch'), 'case-1', 16);
    expect(disk.path).toBe(join(dir, 'scratch', 'case-1.raw'));
    const st = await stat(disk.path);
    expect(st.size).toBe(16 * 1024 * 1024);
    // Written, not sparse: every block is on the disk.
    expect(st.blocks * 512).toBeGreaterThanOrEqual(st.size);
    await disk.remove();
    await disk.remove();
    expect(existsSync(disk.path)).toBe(false);
  });

  it('refuses names and sizes that cannot be a scratch disk', async () => {
    await expect(createScratchDisk(new LocalHost(), dir, '../x', 16)).rejects.toThrow(/scratch disk name/);
    await expect(createScratchDisk(new LocalHost(), dir, 'x', 0)).rejects.toThrow(/whole number of MiB/);
  });

  it('says why a scratch disk could not be made', async () => {
    await expect(createScratchDisk(new LocalHost(), '/proc/hvb-nope', 'x', 16)).rejects.toThrow(/cannot create the scratch folder \/proc\/hvb-nope/);
  });
});
