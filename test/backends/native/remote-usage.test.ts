import { describe, expect, it } from 'vitest';
import { groupUsage } from '../../../src/backends/native/remote-usage.ts';
import { remoteNativeArgv } from '../../../src/backends/native/remote-argv.ts';

// Lines as /proc/<pid>/stat gives them (fields 14–17: utime stime cutime cstime, in ticks).
const stat = (pid: number, comm: string, pgrp: number, [u, s, cu, cs]: number[]) =>
  `${pid} (${comm}) S 1 ${pgrp} ${pgrp} 0 -1 4194560 100 0 0 0 ${u} ${s} ${cu} ${cs} 20 0 1 0 100 1000 10`;

describe("a native run's usage on another host", () => {
  it("sums its process group's own and waited-for CPU time, and nothing else's", () => {
    const lines = [
      stat(700, 'busybox', 700, [1, 2, 0, 0]),
      stat(701, 'unshare', 700, [0, 1, 0, 0]),
      stat(703, 'sysbench', 700, [150, 20, 0, 0]),
      stat(704, 'sh', 700, [3, 4, 50, 6]),
      stat(800, 'qemu (x86) ) odd', 800, [999, 999, 0, 0]),
      'garbage',
    ].join('\n');
    expect(groupUsage(lines, 700)).toEqual({ pid: 700, cpuUserS: 2.04, cpuSystemS: 0.33, peakRssKiB: 0 });
    expect(groupUsage(lines, 900)).toBeUndefined();
  });

  it('hands the disk, the barrier and the command to the wrapper as arguments, never as text', () => {
    const argv = remoteNativeArgv({ tempDir: '/tmp/r x', stdin: { path: "/var/tmp/d; rm -rf '/'.raw", mode: 'rw' }, barrier: true }, [
      '/root/bin/busybox',
      'time',
    ]);
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv[2]).not.toContain('/var/tmp/d');
    expect(argv.slice(3)).toEqual(['hvb-native', '/tmp/r x', 'rw', "/var/tmp/d; rm -rf '/'.raw", '1', '/root/bin/busybox', 'time']);
    expect(remoteNativeArgv({ tempDir: '/t', barrier: false }, ['x']).slice(3)).toEqual(['hvb-native', '/t', '', '', '0', 'x']);
  });
});
