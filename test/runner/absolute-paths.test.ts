import { describe, expect, it } from 'vitest';
import type { VmSpec } from '../../src/backends/common/backend.ts';
import { checkVmSpecPaths, requireAbsolute } from '../../src/runner/absolute-paths.ts';

const spec = (over: Partial<VmSpec> = {}): VmSpec => ({
  name: 'disk-r1',
  vcpus: 1,
  memoryMiB: 512,
  kernel: '/c/vmlinuz',
  initramfs: '/c/initrd',
  cmdline: '',
  disks: [],
  nics: [],
  console: 'serial',
  ...over,
});

describe('absolute paths for VMMs and child processes', () => {
  it('passes absolute paths through', () => {
    expect(requireAbsolute('/a/b', 'x')).toBe('/a/b');
    expect(() => checkVmSpecPaths(spec({ disks: [{ id: 'scratch', path: '/r/scratch/case-1.raw', format: 'raw', model: 'virtio-blk' }] }))).not.toThrow();
  });
  it('refuses a relative scratch disk, naming the VM and the disk', () => {
    expect(() => checkVmSpecPaths(spec({ disks: [{ id: 'scratch', path: 'results/r/scratch/case-4.raw', format: 'raw', model: 'virtio-blk' }] }))).toThrow(
      /VM disk-r1: disk scratch must be an absolute path, got "results\/r\/scratch\/case-4\.raw"/,
    );
  });
  it('refuses a relative kernel or initramfs', () => {
    expect(() => checkVmSpecPaths(spec({ kernel: 'vmlinuz' }))).toThrow(/kernel must be an absolute path/);
    expect(() => checkVmSpecPaths(spec({ initramfs: './initrd' }))).toThrow(/initramfs must be an absolute path/);
  });
});
