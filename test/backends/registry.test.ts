import { describe, expect, it } from 'vitest';
import { backendNames, backends, getBackend } from '../../src/backends/registry.ts';
import type { VmSpec } from '../../src/backends/backend.ts';
import { HvbError } from '../../src/util/errors.ts';
import { scriptedHost } from './fixtures/scripted-host.ts';

const vm: VmSpec = { name: 'x', vcpus: 1, memoryMiB: 128, kernel: '/k', initramfs: '/i', cmdline: '', disks: [], nics: [], console: 'serial' };

describe('backend registry', () => {
  it('knows every backend by its own name', () => {
    expect(backendNames).toEqual(['tcg', 'kvm', 'xen', 'native']);
    for (const name of backendNames) expect(getBackend(name).name).toBe(name);
    expect(backends['tcg']).toBe(getBackend('tcg'));
  });

  it('names the known backends when asked for an unknown one', () => {
    expect(() => getBackend('vmware')).toThrow(HvbError);
    expect(() => getBackend('vmware')).toThrow('unknown backend "vmware"; known backends: tcg, kvm, xen');
    expect(() => getBackend('toString')).toThrow(/unknown backend/);
  });

  it.each([
    ['kvm', 'not implemented yet (the KVM backend is planned; tcg runs everywhere)'],
    ['xen', 'not implemented yet (the Xen backend is planned; tcg runs everywhere)'],
  ])('%s says honestly that it is not implemented', async (name, reason) => {
    const host = scriptedHost(() => ({}));
    expect(await getBackend(name).probe(host)).toEqual({ backend: name, available: false, reason, facts: {} });
    await expect(getBackend(name).launch(vm, host)).rejects.toMatchObject({ code: 'not-implemented' });
    expect(host.calls).toEqual([]);
  });
});
