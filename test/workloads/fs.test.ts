import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jobText } from '../../src/guest/protocol/job.ts';
import { blockDiskMiB, DEFAULT_9P_MSIZE, FS_MOUNT_POINT, fs, observedFs } from '../../src/workloads/fs.ts';
import type { StepOutput } from '../../src/workloads/workload.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const reports = (): StepOutput[] =>
  ['seqread', 'seqwrite', 'randread', 'randwrite'].map((id) => ({
    id: `${id}-report`,
    exitCode: 0,
    output: fixture(`fio-${id}-virtio-blk.json`),
    elapsedMs: 3,
  }));
const step = (id: string, output: string): StepOutput => ({ id, exitCode: 0, output, elapsedMs: 1 });

describe('fs workload parameters', () => {
  it("defaults to virtiofs with the disk workload's job sizes", () => {
    expect(fs.params.parse({})).toEqual({ share: 'virtiofs', sizeMiB: 256, runtimeSec: 5, queueDepth: 16 });
  });

  it('refuses an unknown share and names the known ones', () => {
    const r = fs.params.safeParse({ share: 'nfs' });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toMatch(/virtiofs.*9p.*block/);
  });

  it("takes msize for 9p only, up to what Linux's virtio transport carries", () => {
    expect(fs.params.parse({ share: '9p', msize: 131072 }).msize).toBe(131072);
    const other = fs.params.safeParse({ share: 'virtiofs', msize: 131072 });
    expect(other.success).toBe(false);
    expect(other.error?.issues[0]?.message).toBe('msize is the 9p mount\'s message size; share "virtiofs" has none');
    expect(fs.params.safeParse({ share: '9p', msize: 1_048_576 }).success).toBe(false);
  });
});

describe('fs workload devices', () => {
  it('asks for the share alone, or for block also for a paravirtual disk with room for ext4 around the file', () => {
    expect(fs.devices!(fs.params.parse({ share: '9p' }))).toEqual({ share: { kind: '9p' } });
    expect(fs.devices!(fs.params.parse({ share: 'block', sizeMiB: 256 }))).toEqual({
      share: { kind: 'block' },
      disk: { io: 'paravirtual', sizeMiB: blockDiskMiB(256) },
    });
    expect(blockDiskMiB(256)).toBe(352);
  });
});

describe('fs workload guest command', () => {
  const p = (o: object) => fs.params.parse({ sizeMiB: 32, runtimeSec: 2, ...o });

  it('mounts virtiofs by its tag and runs the four jobs on one file under the mount point', () => {
    const c = fs.command(p({}), { share: { model: 'virtiofs', tag: 'hvbshare' } });
    expect(c.steps.slice(0, 5).map((s) => s.argv)).toEqual([
      ['mkdir', '-p', FS_MOUNT_POINT],
      ['mount', '-t', 'virtiofs', 'hvbshare', FS_MOUNT_POINT],
      ['cat', '/proc/mounts'],
      ['stat', '-f', '-c', '%t', FS_MOUNT_POINT],
      ['fio', '--name=layout', `--filename=${FS_MOUNT_POINT}/hvb-fio.dat`, '--size=32M', '--create_only=1'],
    ]);
    const jobs = c.steps.filter((s) => s.argv[0] === 'hvb-fresh');
    expect(jobs.map((s) => s.id)).toEqual(['seqread', 'seqwrite', 'randread', 'randwrite']);
    expect(jobs[2]!.argv).toEqual(
      expect.arrayContaining([`--filename=${FS_MOUNT_POINT}/hvb-fio.dat`, '--size=32M', '--rw=randread', '--bs=4k', '--direct=1', '--runtime=2']),
    );
    expect(c.modules).toBeUndefined();
    // Every word passes the guest job's character set.
    expect(() => jobText({ nonce: '0123456789abcdef', workload: 'fs', command: c })).not.toThrow();
  });

  it('mounts 9p with the virtio transport, 9P2000.L and the message size', () => {
    const mount = (o: object) => fs.command(p({ share: '9p', ...o }), { share: { model: '9p', tag: 'hvbshare' } }).steps.find((s) => s.id === 'mount')!.argv;
    expect(mount({})).toEqual(['mount', '-t', '9p', '-o', `trans=virtio,version=9p2000.L,msize=${DEFAULT_9P_MSIZE}`, 'hvbshare', FS_MOUNT_POINT]);
    expect(mount({ msize: 65536 })[4]).toBe('trans=virtio,version=9p2000.L,msize=65536');
  });

  it('mounts the block reference from the scratch disk as ext4 and loads ext4 with its checksum driver', () => {
    const c = fs.command(p({ share: 'block' }), { share: { model: 'block' } });
    expect(c.steps.find((s) => s.id === 'mount')!.argv).toEqual(['mount', '-t', 'ext4', '@disk', FS_MOUNT_POINT]);
    expect(c.modules).toEqual(['crc32c_generic', 'ext4']);
  });

  it('works natively in the host folder the run has open as @disk, mounting nothing', () => {
    const c = fs.command(p({}), { share: { model: 'host-dir' } });
    expect(c.steps.some((s) => s.id === 'mount')).toBe(false);
    expect(c.steps.find((s) => s.id === 'seqread')!.argv).toContain('--filename=@disk/hvb-fio.dat');
    expect(c.steps.find((s) => s.id === 'fs-magic')!.argv).toEqual(['stat', '-f', '-c', '%t', '@disk']);
  });

  it("refuses to make a command without the case's share", () => {
    expect(() => fs.command(p({}), {})).toThrow(/needs the shared folder of its case/);
  });
});

describe('fs workload results', () => {
  it("reads the disk workload's figures from fio's reports under the fs prefix", () => {
    const values = fs.parse(reports(), fs.params.parse({}));
    expect(values.map((v) => v.metric)).toEqual([
      'fs.seq_read_mib_s',
      'fs.seq_write_mib_s',
      'fs.rand_read_iops',
      'fs.rand_write_iops',
      'fs.rand_read_clat_p50_us',
      'fs.rand_read_clat_p99_us',
      'fs.rand_write_clat_p50_us',
      'fs.rand_write_clat_p99_us',
    ]);
    for (const v of values) expect(v.value).toBeGreaterThan(0);
    const declared = new Set(fs.metrics.map((m) => m.name));
    for (const v of values) expect(declared.has(v.metric)).toBe(true);
    expect(fs.hostCost!(reports(), { vmmCpuS: 2 }, fs.params.parse({}))[0]?.metric).toBe('host.cpu_s_per_gib');
  });

  it('takes the file system from /proc/mounts at the mount point, else names the statfs magic', () => {
    const mounts = `rootfs / rootfs rw 0 0\nhvbshare ${FS_MOUNT_POINT} virtiofs rw,relatime 0 0\n`;
    expect(observedFs([step('mounts', mounts), step('fs-magic', '65735546\n')])).toBe('virtiofs');
    expect(observedFs([step('mounts', 'proc /proc proc rw 0 0\n'), step('fs-magic', 'ef53\n')])).toBe('ext2/ext3/ext4');
    expect(observedFs([step('mounts', ''), step('fs-magic', '1234abcd\n')])).toBe('magic 0x1234abcd');
    expect(observedFs([step('mounts', ''), step('fs-magic', 'stat: cannot read\n')])).toBeUndefined();
    expect(fs.observedDims!([step('mounts', `hvbshare ${FS_MOUNT_POINT} 9p rw 0 0\n`)], fs.params.parse({}))).toEqual({ share_fs: '9p' });
  });
});
