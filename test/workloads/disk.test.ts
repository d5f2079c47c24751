import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { disk } from '../../src/workloads/disk.ts';
import { parseFioJob } from '../../src/workloads/fio-output.ts';
import type { StepOutput } from '../../src/workloads/workload.ts';

// fio 3.33 (Debian 12) JSON reports captured in the hvbench guest under QEMU TCG, on a 64 MiB
// scratch disk (2 s per job, iodepth 16); the error report from the same binary (chroot of the image).
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const outputs = (model: string): StepOutput[] =>
  ['seqread', 'seqwrite', 'randread', 'randwrite'].map((id) => ({ id: `${id}-report`, exitCode: 0, output: fixture(`fio-${id}-${model}.json`), elapsedMs: 3 }));
const params = (p: object = {}) => disk.params.parse(p);

describe('disk workload (fio)', () => {
  it('runs four direct-I/O jobs on the scratch disk, caches dropped before each, each report printed from its own file', () => {
    const steps = disk.command(params({ runtimeSec: 3, queueDepth: 4 })).steps;
    expect(steps.map((s) => s.id)).toEqual([
      'seqread',
      'seqread-report',
      'seqwrite',
      'seqwrite-report',
      'randread',
      'randread-report',
      'randwrite',
      'randwrite-report',
    ]);
    expect(steps[4]!.argv).toEqual([
      'hvb-fresh',
      'fio',
      '--name=randread',
      '--filename=@disk',
      '--rw=randread',
      '--bs=4k',
      '--ioengine=libaio',
      '--direct=1',
      '--iodepth=4',
      '--runtime=3',
      '--time_based=1',
      '--output-format=json',
      '--output=/run/fio-randread.json',
    ]);
    expect(steps[5]!.argv).toEqual(['cat', '/run/fio-randread.json']);
    expect(disk.tools).toEqual(['fio']);
  });

  it('says where a damaged report broke, and what fio printed besides it', () => {
    const clean = fixture('fio-randwrite-virtio-blk.json');
    const damaged = clean.replace('"jobs" : [', '"jobs" : [ oops');
    const run = () =>
      disk.parse(
        [
          ...outputs('virtio-blk').filter((o) => o.id !== 'randwrite-report'),
          { id: 'randwrite', exitCode: 0, output: 'fio: some warning\n', elapsedMs: 3000 },
          { id: 'randwrite-report', exitCode: 0, output: damaged, elapsedMs: 3 },
        ],
        params(),
      );
    expect(run).toThrow(/the JSON report does not parse: Unexpected token .*"jobs" : \[ oops.* \(\d+ characters, ending ".*"\)/);
    expect(run).toThrow(/\(fio said: "fio: some warning"\)$/);
  });

  it('asks for a scratch disk of the class or the named model', () => {
    expect(disk.devices!(params())).toEqual({ disk: { io: 'paravirtual', sizeMiB: 256 } });
    expect(disk.devices!(params({ io: 'emulated', sizeMiB: 64 }))).toEqual({ disk: { io: 'emulated', sizeMiB: 64 } });
    expect(disk.devices!(params({ device: 'nvme' }))).toEqual({ disk: { io: 'emulated', device: 'nvme', sizeMiB: 256 } });
  });

  it('refuses a device that contradicts io, and unknown devices', () => {
    expect(disk.params.safeParse({ io: 'emulated', device: 'ahci' }).success).toBe(true);
    const bad = disk.params.safeParse({ io: 'paravirtual', device: 'ide' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]).toMatchObject({ path: ['device'], message: 'device ide is emulated I/O, but io is "paravirtual"; drop one of them' });
    expect(disk.params.safeParse({ device: 'e1000' }).success).toBe(false);
    expect(disk.params.safeParse({ sizeMiB: 8 }).success).toBe(false);
  });

  it('parses real reports from a virtio-blk disk', () => {
    const v = Object.fromEntries(disk.parse(outputs('virtio-blk'), params()).map((m) => [m.metric, m.value]));
    expect(v['disk.seq_read_mib_s']).toBeCloseTo(1342.17, 1);
    expect(v['disk.seq_write_mib_s']).toBeCloseTo(2162.34, 1);
    expect(v['disk.rand_read_iops']).toBeCloseTo(2584.12, 1);
    expect(v['disk.rand_write_iops']).toBeCloseTo(3500.25, 1);
    expect(v['disk.rand_read_clat_p50_us']).toBeCloseTo(5865.472, 2);
    expect(v['disk.rand_read_clat_p99_us']).toBeCloseTo(12648.448, 2);
    expect(v['disk.rand_write_clat_p50_us']).toBeCloseTo(3883.008, 2);
    expect(v['disk.rand_write_clat_p99_us']).toBeCloseTo(14090.24, 2);
  });

  it('parses real reports from an emulated IDE disk: slower on every figure', () => {
    const ide = Object.fromEntries(disk.parse(outputs('ide'), params()).map((m) => [m.metric, m.value]));
    const virtio = Object.fromEntries(disk.parse(outputs('virtio-blk'), params()).map((m) => [m.metric, m.value]));
    for (const m of ['disk.seq_read_mib_s', 'disk.seq_write_mib_s', 'disk.rand_read_iops', 'disk.rand_write_iops']) expect(ide[m]!, m).toBeLessThan(virtio[m]!);
    expect(ide['disk.rand_read_iops']).toBeCloseTo(1479.02, 1);
  });

  it('turns the job cost into VMM CPU seconds per GiB moved', () => {
    const out = outputs('virtio-blk');
    const gib = out.map((o, i) => parseFioJob(o.output, i % 2 === 0 ? 'read' : 'write').ioBytes).reduce((a, b) => a + b) / 2 ** 30;
    expect(disk.hostCost!(out, { vmmCpuS: 12 }, params())).toEqual([{ metric: 'host.cpu_s_per_gib', value: 12 / gib }]);
  });

  it('reads a report that a fio message on stderr cut in two, even mid-line', () => {
    const clean = fixture('fio-randwrite-virtio-blk.json');
    const expected = parseFioJob(clean, 'write');
    const at = clean.indexOf('"iops" :') + 6;
    const cut = `${clean.slice(0, at)}fio: io_u error on file /dev/vda: Input/output error: write offset=0, buflen=4096\n${clean.slice(at)}`;
    expect(parseFioJob(cut, 'write')).toEqual(expected);
    expect(parseFioJob(`${clean}\nfio: file hash not empty on exit\n`, 'write')).toEqual(expected);
    expect(() => parseFioJob(clean.replace('"jobs" : [', '"jobs" : [ oops'), 'write')).toThrow(/the JSON report does not parse/);
  });

  it('reads a report with nan and inf where fio could not compute a figure (too few bandwidth samples)', () => {
    const clean = fixture('fio-seqread-virtio-blk.json');
    const expected = parseFioJob(clean, 'read');
    const withNan = clean
      .replace(/"bw_dev" : [0-9.]+/, '"bw_dev" : -nan')
      .replace(/"iops_stddev" : [0-9.]+/, '"iops_stddev" : nan')
      .replace(/"bw_agg" : [0-9.]+/, '"bw_agg" : inf');
    expect(withNan).toMatch(/-nan[\s\S]*nan[\s\S]*inf/);
    expect(parseFioJob(withNan, 'read')).toEqual(expected);
    // A string that merely contains the letters is left alone.
    expect(parseFioJob(clean.replace('"jobname" : "seqread"', '"jobname" : "nan"'), 'read')).toEqual(expected);
  });

  it("fails with fio's own words on a failed job, and on output that is not a report", () => {
    expect(() => parseFioJob(fixture('fio-missing-device.txt'), 'read')).toThrow(
      'fio job seqread failed with error 22: seqread: you need to specify size=; fio: pid=0, err=22/file:filesetup.c:1155, func=total_file_size, error=Invalid argument',
    );
    expect(() => parseFioJob('fio: unrecognized option --bogus\n', 'read')).toThrow(/fio output: no JSON report/);
    expect(() => parseFioJob(fixture('fio-seqread-ide.json').replace('"iops" :', '"iops_gone" :'), 'read')).toThrow(/read: no number for iops/);
    expect(() => parseFioJob(fixture('fio-seqread-ide.json'), 'write')).toThrow(/moved no data/);
    expect(() => disk.parse(outputs('ide').slice(1), params())).toThrow(/no output for step "seqread-report"/);
  });
});

describe('the disk I/O path parameters', () => {
  it('leave the device request as it was when none is given, and fill in the defaults of the others when one is', () => {
    expect(disk.devices!(params({ sizeMiB: 64 }))).toEqual({ disk: { io: 'paravirtual', sizeMiB: 64 } });
    expect(disk.devices!(params({ aio: 'io_uring' }))).toEqual({
      disk: { io: 'paravirtual', sizeMiB: 256, path: { aio: 'io_uring', cache: 'none', iothread: false } },
    });
    expect(disk.devices!(params({ device: 'virtio-blk', cache: 'directsync', iothread: true, queues: 4 }))).toEqual({
      disk: { io: 'paravirtual', device: 'virtio-blk', sizeMiB: 256, path: { aio: 'threads', cache: 'directsync', iothread: true, queues: 4 } },
    });
  });

  it('refuse values outside their range', () => {
    for (const bad of [{ aio: 'posix' }, { cache: 'unsafe' }, { iothread: 'yes' }, { queues: 0 }, { queues: 17 }, { queues: 1.5 }]) {
      expect(disk.params.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('refuse, when the suite is read, combinations no backend can run, with the reason', () => {
    const messages = (p: object) => {
      const r = disk.params.safeParse(p);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(messages({ aio: 'native', cache: 'writeback' })).toEqual([
      'cache: aio "native" needs O_DIRECT (cache "none" or "directsync"); cache "writeback" goes through the host\'s page cache, and QEMU refuses the pair',
    ]);
    expect(messages({ device: 'ide', queues: 2 })).toEqual(['queues: queues sets the request queues of a virtio-blk disk; ide has a single queue']);
    expect(messages({ io: 'emulated', queues: 1 })).toEqual([
      'queues: queues sets the request queues of a virtio-blk disk; an emulated disk (IDE or AHCI) has a single queue',
    ]);
    expect(messages({ device: 'ahci', iothread: true })).toEqual(['iothread: an iothread serves virtio-blk or virtio-scsi disks; ahci cannot have one']);
    // Possible somewhere: left to each backend (QEMU has aio=native with O_DIRECT, an iothread on virtio-scsi).
    expect(messages({ aio: 'native', cache: 'directsync' })).toEqual([]);
    expect(messages({ device: 'virtio-scsi', iothread: true })).toEqual([]);
    expect(messages({ device: 'nvme', queues: 2 })).toEqual([]);
  });
});
