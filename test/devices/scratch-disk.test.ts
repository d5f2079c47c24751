import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDisk } from '../../src/devices/scratch-disk.ts';
import type { ExecResult, Host } from '../../src/hosts/host.ts';
import { LocalHost } from '../../src/hosts/local.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hvb-scratch-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The local host, except that the named programs are "not found" (exit 127, as a shell says); records every argv. */
function hostWithout(missing: string[]): { host: Host; calls: string[][] } {
  const local = new LocalHost();
  const calls: string[][] = [];
  const host = Object.assign(Object.create(local) as Host, {
    async exec(argv: string[], options?: { timeoutMs?: number }): Promise<ExecResult> {
      calls.push(argv);
      if (missing.includes(argv[0]!)) return { exitCode: 127, stdout: '', stderr: `sh: ${argv[0]}: not found\n` };
      return await local.exec(argv, options);
    },
  });
  return { host, calls };
}

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

  it('writes the zeros with dd (synced) on a host without qemu-img, as fully as qemu-img would', async () => {
    const { host, calls } = hostWithout(['qemu-img']);
    const disk = await createScratchDisk(host, join(dir, 'dd'), 'case-2', 8);
    expect(calls.map((c) => c[0])).toEqual(['mkdir', 'qemu-img', 'dd']);
    expect(calls[2]).toEqual(['dd', 'if=/dev/zero', `of=${join(dir, 'dd', 'case-2.raw')}`, 'bs=1M', 'count=8', 'conv=fsync']);
    const st = await stat(disk.path);
    expect(st.size).toBe(8 * 1024 * 1024);
    expect(st.blocks * 512).toBeGreaterThanOrEqual(st.size);
    await disk.remove();
    expect(existsSync(disk.path)).toBe(false);
  });

  it('says what to install when neither qemu-img nor dd exists, and leaves no file', async () => {
    const { host } = hostWithout(['qemu-img', 'dd']);
    const made = createScratchDisk(host, join(dir, 'none'), 'case-3', 8);
    await expect(made).rejects.toThrow(/cannot create the 8 MiB scratch disk .*case-3\.raw with dd \(the host has no qemu-img\): sh: dd: not found/);
    await expect(made).rejects.toMatchObject({ hint: expect.stringMatching(/qemu-utils/) });
    expect(existsSync(join(dir, 'none', 'case-3.raw'))).toBe(false);
  });

  it('refuses names and sizes that cannot be a scratch disk', async () => {
    await expect(createScratchDisk(new LocalHost(), dir, '../x', 16)).rejects.toThrow(/scratch disk name/);
    await expect(createScratchDisk(new LocalHost(), dir, 'x', 0)).rejects.toThrow(/whole number of MiB/);
  });

  it('says why a scratch disk could not be made', async () => {
    await expect(createScratchDisk(new LocalHost(), '/proc/hvb-nope', 'x', 16)).rejects.toThrow(/cannot create the scratch folder \/proc\/hvb-nope/);
  });
});
