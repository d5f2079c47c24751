import { describe, expect, it } from 'vitest';
import { nativeArgv, nativeJob, parseNativeUsage } from '../../../src/backends/native/argv.ts';
import { decodeJob, encodeJob } from '../../../src/guest/protocol/job.ts';

const nonce = '0123456789abcdef0123456789abcdef';

describe('native command line', () => {
  it('measures with busybox time, enters new namespaces, chroots and passes the job in a clean environment', () => {
    const argv = nativeArgv({
      busybox: '/c/root/bin/busybox',
      unshare: '/usr/bin/unshare',
      chroot: '/usr/sbin/chroot',
      root: '/c/root',
      usageFile: '/t/usage',
      cmdline: 'hvb.job=abc',
    });
    expect(argv).toEqual([
      '/c/root/bin/busybox',
      'time',
      '-o',
      '/t/usage',
      '-f',
      '%e %U %S %M',
      '/usr/bin/unshare',
      '--mount',
      '--pid',
      '--fork',
      '--kill-child',
      '--',
      '/usr/sbin/chroot',
      '/c/root',
      '/bin/busybox',
      'env',
      '-i',
      'HVB_NATIVE=1',
      'HVB_CMDLINE=hvb.job=abc',
      '/init',
    ]);
  });

  it('keeps the job but never its kernel modules', () => {
    const cmdline = `quiet panic=-1 ${encodeJob({ nonce, workload: 'cpu', command: { modules: ['virtio_blk'], steps: [{ id: 'cpu', argv: ['sysbench', 'cpu', 'run'] }] } })}`;
    const native = nativeJob(cmdline);
    expect(native.droppedModules).toEqual(['virtio_blk']);
    expect(native.cmdline).toMatch(/^hvb\.job=[A-Za-z0-9_-]+$/);
    expect(decodeJob(native.cmdline)).toEqual({ nonce, workload: 'cpu', command: { steps: [{ id: 'cpu', argv: ['sysbench', 'cpu', 'run'] }] } });
  });

  it('reads busybox time output, correcting its peak RSS unit', () => {
    // busybox prints ru_maxrss (KiB) multiplied by 4 (it takes them for 4 KiB pages).
    expect(parseNativeUsage('2.03 1.98 0.02 41328\n')).toEqual({ wallS: 2.03, cpuUserS: 1.98, cpuSystemS: 0.02, peakRssKiB: 10332 });
    expect(parseNativeUsage('Command exited with non-zero status 3\n0.10 0.00 0.01 4000\n')).toMatchObject({ cpuUserS: 0, peakRssKiB: 1000 });
    expect(parseNativeUsage('')).toBeUndefined();
  });
});
