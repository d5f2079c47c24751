import { describe, expect, it } from 'vitest';
import { createScratchDisk } from '../../src/devices/scratch-disk.ts';
import { scratchFolder, takesDirectIo } from '../../src/devices/scratch-folder.ts';
import type { ExecResult, Host } from '../../src/hosts/host.ts';

/**
 * A remote host on paper: `dd … oflag=direct` succeeds only below the folders in `direct`
 * (as on a disk; tmpfs of Linux before 6.6 says "Invalid argument"), every other command
 * succeeds. Records every argv and every removed path.
 */
function fakeRemote(direct: string[], home = '/home/bench'): { host: Host; calls: string[][]; removed: string[] } {
  const calls: string[][] = [];
  const removed: string[] = [];
  const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
  const host = {
    name: 'far',
    kind: 'remote',
    async exec(argv: string[]): Promise<ExecResult> {
      calls.push(argv);
      if (argv[0] === 'env') return ok(`PATH=/usr/bin\nHOME=${home}\n`);
      if (argv[0] === 'dd' && argv.includes('oflag=direct')) {
        const of = argv.find((a) => a.startsWith('of='))!.slice(3);
        if (!direct.some((d) => of.startsWith(`${d}/`))) return { exitCode: 1, stdout: '', stderr: `dd: failed to open '${of}': Invalid argument\n` };
      }
      return ok();
    },
    async removeTree(path: string) {
      removed.push(path);
    },
  } as unknown as Host;
  return { host, calls, removed };
}

const probes = (calls: string[][]) =>
  calls
    .filter((c) => c.includes('oflag=direct'))
    .map((c) =>
      c
        .find((a) => a.startsWith('of='))!
        .slice(3)
        .replace(/\/[^/]+$/, ''),
    );

describe('the scratch folder of a remote host', () => {
  it('keeps the temporary folder when it takes O_DIRECT, and probes it once per host', async () => {
    const { host, calls } = fakeRemote(['/tmp']);
    expect(await scratchFolder(host, '/tmp/hvbench-scratch-a')).toEqual({ directIo: true });
    expect(await scratchFolder(host, '/tmp/hvbench-scratch-a')).toEqual({ directIo: true });
    expect(probes(calls)).toEqual(['/tmp/hvbench-scratch-a']);
    // The probe's block is removed again.
    expect(calls.filter((c) => c[0] === 'rm')).toHaveLength(1);
  });

  it('moves disks to a private folder under /var/tmp when the temporary folder is tmpfs', async () => {
    const { host, calls } = fakeRemote(['/var/tmp']);
    const first = await scratchFolder(host, '/tmp/hvbench-scratch-b');
    const second = await scratchFolder(host, '/tmp/hvbench-scratch-b');
    expect(first.directIo).toBe(true);
    expect(first.privateFolder).toMatch(/^\/var\/tmp\/hvbench-scratch-[0-9a-f]{12}$/);
    // One folder per disk, each removed with its disk.
    expect(second.privateFolder).not.toBe(first.privateFolder);
    expect(probes(calls)).toEqual(['/tmp/hvbench-scratch-b', '/var/tmp']);
    expect(calls).toContainEqual(['mkdir', '-p', '-m', '700', first.privateFolder]);
  });

  it("tries the user's home folder next", async () => {
    const { host, calls } = fakeRemote(['/home/bench']);
    const choice = await scratchFolder(host, '/tmp/hvbench-scratch-c');
    expect(choice.privateFolder).toMatch(/^\/home\/bench\/hvbench-scratch-/);
    expect(probes(calls)).toEqual(['/tmp/hvbench-scratch-c', '/var/tmp', '/home/bench']);
  });

  it('says so when no folder takes O_DIRECT, and keeps the temporary folder', async () => {
    const { host } = fakeRemote([]);
    expect(await scratchFolder(host, '/tmp/hvbench-scratch-d')).toEqual({ directIo: false });
    expect(await takesDirectIo(host, '/var/tmp')).toBe(false);
  });

  it('puts the disk where the choice says, records it, and removes its private folder with it', async () => {
    const moved = fakeRemote(['/var/tmp']);
    const disk = await createScratchDisk(moved.host, '/tmp/hvbench-scratch-e', 'case-4', 8);
    expect(disk.path).toMatch(/^\/var\/tmp\/hvbench-scratch-[0-9a-f]{12}\/case-4\.raw$/);
    expect(disk.directIo).toBe(true);
    expect(moved.calls).toContainEqual(['qemu-img', 'create', '-q', '-f', 'raw', '-o', 'preallocation=full', disk.path, '8M']);
    await disk.remove();
    expect(moved.removed).toEqual([disk.path.replace(/\/case-4\.raw$/, '')]);

    const tmpfsOnly = fakeRemote([]);
    const kept = await createScratchDisk(tmpfsOnly.host, '/tmp/hvbench-scratch-f', 'case-5', 8);
    expect(kept).toMatchObject({ path: '/tmp/hvbench-scratch-f/case-5.raw', directIo: false });
    await kept.remove();
    expect(tmpfsOnly.removed).toEqual(['/tmp/hvbench-scratch-f/case-5.raw']);
  });
});
