import { describe, expect, it } from 'vitest';
import { createScratchDisk } from '../../src/devices/scratch-disk.ts';
import { checkScratch, describeScratch, openScratchFolder, scratchFolder, takesDirectIo } from '../../src/devices/scratch-folder.ts';
import type { ExecResult, Host } from '../../src/hosts/host.ts';

/**
 * A remote host on paper: `dd … oflag=direct` succeeds only below the folders in `direct`
 * (as on a disk; tmpfs of Linux before 6.6 says "Invalid argument"), every other command
 * succeeds. Records every argv and every removed path.
 */
function fakeRemote(
  direct: string[],
  home = '/home/bench',
  o: { unwritable?: string[]; tmpdir?: string } = {},
): { host: Host; calls: string[][]; removed: string[] } {
  const calls: string[][] = [];
  const removed: string[] = [];
  const ok = (stdout = ''): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
  const host = {
    name: 'far',
    kind: 'remote',
    async exec(argv: string[]): Promise<ExecResult> {
      calls.push(argv);
      if (argv[0] === 'env') return ok(`PATH=/usr/bin\nHOME=${home}\n${o.tmpdir ? `TMPDIR=${o.tmpdir}\n` : ''}`);
      if (argv[0] === 'dd') {
        const of = argv.find((a) => a.startsWith('of='))!.slice(3);
        const under = (folders: string[] | undefined) => (folders ?? []).some((d) => of.startsWith(`${d}/`));
        if (under(o.unwritable)) return { exitCode: 1, stdout: '', stderr: `dd: failed to open '${of}': Read-only file system\n` };
        if (argv.includes('oflag=direct') && !under(direct)) return { exitCode: 1, stdout: '', stderr: `dd: failed to open '${of}': Invalid argument\n` };
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

describe("a remote host's scratch check before any case runs", () => {
  it('uses the temporary folder ($TMPDIR) when it takes O_DIRECT, and tries nothing else', async () => {
    const { host, calls } = fakeRemote(['/scratch-tmp'], '/home/bench', { tmpdir: '/scratch-tmp' });
    const check = await checkScratch(host);
    expect(check).toEqual({
      base: '/scratch-tmp',
      directIo: true,
      writable: true,
      configured: false,
      tried: [{ folder: '/scratch-tmp', directIo: true, writable: true }],
    });
    expect(probes(calls)).toEqual(['/scratch-tmp']);
  });

  it('chooses the first candidate that takes O_DIRECT when /tmp does not', async () => {
    const check = await checkScratch(fakeRemote(['/home/bench']).host);
    expect(check).toMatchObject({ base: '/home/bench', directIo: true, configured: false });
    expect(check.tried.map((t) => [t.folder, t.directIo])).toEqual([
      ['/tmp', false],
      ['/var/tmp', false],
      ['/home/bench', true],
    ]);
    expect(describeScratch(check)).toMatch(
      /^\/tmp: no O_DIRECT \(dd: failed to open '\/tmp\/\.hvbench-odirect-[0-9a-f]+': Invalid argument\); \/var\/tmp: no O_DIRECT \(.*\); \/home\/bench: takes O_DIRECT$/,
    );
  });

  it('keeps the temporary folder and says what each folder said when none takes O_DIRECT', async () => {
    const check = await checkScratch(fakeRemote([]).host);
    expect(check).toMatchObject({ base: '/tmp', directIo: false, writable: true, configured: false });
    expect(describeScratch(check)).toMatch(
      /^\/tmp: no O_DIRECT \(dd: failed to open '\/tmp\/\.hvbench-odirect-[0-9a-f]+': Invalid argument\); \/var\/tmp: no O_DIRECT .*; \/home\/bench: no O_DIRECT/,
    );
  });

  it("checks the host's scratchDir alone, and tells a folder without O_DIRECT from one that cannot be written", async () => {
    const noDirect = fakeRemote(['/var/tmp']);
    const check = await checkScratch(noDirect.host, '/mnt/ram');
    expect(check).toMatchObject({ base: '/mnt/ram', directIo: false, writable: true, configured: true });
    expect(probes(noDirect.calls)).toEqual(['/mnt/ram']);
    const readOnly = await checkScratch(fakeRemote([], '/home/bench', { unwritable: ['/ro'] }).host, '/ro');
    expect(readOnly).toMatchObject({ base: '/ro', directIo: false, writable: false, configured: true });
    expect(describeScratch(readOnly)).toMatch(/^\/ro: cannot be written \(dd: failed to open '\/ro\/\.hvbench-odirect-[0-9a-f]+': Read-only file system\)$/);
  });

  it("makes the run's private folder in the chosen place, and its disks go there without another probe", async () => {
    const { host, calls, removed } = fakeRemote(['/srv/scratch']);
    const check = await checkScratch(host, '/srv/scratch');
    const dir = await openScratchFolder(host, check);
    expect(dir).toMatch(/^\/srv\/scratch\/hvbench-scratch-[0-9a-f]{12}$/);
    expect(calls).toContainEqual(['mkdir', '-p', '-m', '700', dir]);
    const before = probes(calls).length;
    const disk = await createScratchDisk(host, dir, 'case-6', 8);
    expect(disk).toMatchObject({ path: `${dir}/case-6.raw`, directIo: true });
    expect(probes(calls)).toHaveLength(before);
    await disk.remove();
    expect(removed).toEqual([`${dir}/case-6.raw`]);

    // Where nothing takes O_DIRECT the disk stays put, marked so (a Xen dom0 needs none).
    const none = fakeRemote([], '/home/bench', { unwritable: [] });
    const inTemp = await openScratchFolder({ ...none.host, makeTempDir: async (prefix: string) => `/tmp/${prefix}abc` } as Host, await checkScratch(none.host));
    expect(inTemp).toBe('/tmp/hvbench-scratch-abc');
  });
});
