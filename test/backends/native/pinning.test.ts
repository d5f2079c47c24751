import { describe, expect, it } from 'vitest';
import { pinnedNativeArgv } from '../../../src/backends/native/pinning.ts';

describe('native pinning', () => {
  const argv = ['/root/bin/busybox', 'time', '-o', 'usage', 'unshare', '--', 'chroot', '/root', '/init'];

  it("runs the whole tree on the vCPUs' CPUs through taskset", () => {
    expect(pinnedNativeArgv(argv, { vcpus: [1, 2], vmm: [0] })).toEqual(['taskset', '--cpu-list', '1,2', ...argv]);
  });

  it('leaves an unpinned argv as it is', () => {
    expect(pinnedNativeArgv(argv, undefined)).toEqual(argv);
  });
});
