import { describe, expect, it } from 'vitest';
import { backendNames, backends, getBackend } from '../../src/backends/registry.ts';
import { NOT_A_DOM0 } from '../../src/backends/xen/xen.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import type { VmSpec } from '../../src/backends/common/backend.ts';
import { HvbError } from '../../src/util/errors.ts';

const _vm: VmSpec = { name: 'x', vcpus: 1, memoryMiB: 128, kernel: '/k', initramfs: '/i', cmdline: '', disks: [], nics: [], console: 'serial' };

describe('backend registry', () => {
  it('knows every backend by its own name', () => {
    expect(backendNames).toEqual(['tcg', 'kvm', 'xen', 'native', 'libvirt-kvm', 'libvirt-tcg', 'libvirt-xen']);
    for (const name of backendNames) expect(getBackend(name).name).toBe(name);
    expect(backends['tcg']).toBe(getBackend('tcg'));
  });

  it('names the known backends when asked for an unknown one', () => {
    expect(() => getBackend('vmware')).toThrow(HvbError);
    expect(() => getBackend('vmware')).toThrow('unknown backend "vmware"; known backends: tcg, kvm, xen');
    expect(() => getBackend('toString')).toThrow(/unknown backend/);
  });

  it('xen says honestly that this machine is not a dom0', async () => {
    await expect(getBackend('xen').probe(new LocalHost())).resolves.toMatchObject({ backend: 'xen', available: false, reason: NOT_A_DOM0 });
  });

  it('libvirt-xen says honestly that this machine is not a dom0, and that it needs the libxl driver', async () => {
    await expect(getBackend('libvirt-xen').probe(new LocalHost())).resolves.toMatchObject({
      backend: 'libvirt-xen',
      available: false,
      reason: 'not a Xen dom0: /proc/xen/capabilities does not exist on local',
      hint: expect.stringMatching(/libvirt-daemon-driver-xen/),
    });
  });
});
