import { describe, expect, it } from 'vitest';
import { NATIVE_DEVICES } from '../../src/backends/native/devices.ts';
import { tcgBackend } from '../../src/backends/qemu/tcg.ts';
import { xenDevices } from '../../src/backends/xen/devices.ts';
import type { BackendDevices } from '../../src/devices/capabilities.ts';
import { caseDevices } from '../../src/devices/case-devices.ts';

const found = { virtiofsd: '/usr/lib/qemu/virtiofsd' };
const { share: _none, ...withoutShares } = NATIVE_DEVICES;

describe('case devices: shared folders', () => {
  it('gives a QEMU case its share, and the block reference a virtio-blk disk besides', () => {
    expect(caseDevices('tcg', tcgBackend.devices(), { share: { kind: 'virtiofs' } }, found)).toEqual({
      devices: { share: { kind: 'virtiofs', model: 'virtiofs', io: 'paravirtual' } },
    });
    expect(caseDevices('tcg', tcgBackend.devices(), { share: { kind: 'block' }, disk: { io: 'paravirtual', sizeMiB: 96 } })).toEqual({
      devices: { share: { kind: 'block', model: 'block', io: 'paravirtual' }, disk: { model: 'virtio-blk', io: 'paravirtual', sizeMiB: 96 } },
    });
  });

  it('skips virtiofs where the probe found no virtiofsd', () => {
    expect(caseDevices('tcg', tcgBackend.devices(), { share: { kind: 'virtiofs' } }, { virtiofsd: 'no: none exists' })).toEqual({
      skip: "virtiofs needs virtiofsd on the VMM's host, and there is none (no: none exists)",
    });
  });

  it('runs native once, in the host folder, as its virtiofs case; 9p and block say why not', () => {
    expect(caseDevices('native', NATIVE_DEVICES, { share: { kind: 'virtiofs' } })).toEqual({
      devices: { share: { kind: 'virtiofs', model: 'host-dir', io: 'none' } },
    });
    for (const kind of ['9p', 'block'] as const) {
      const r = caseDevices('native', NATIVE_DEVICES, { share: { kind }, ...(kind === 'block' ? { disk: { io: 'paravirtual' as const, sizeMiB: 96 } } : {}) });
      expect(r).toEqual({ skip: expect.stringContaining(`the reference for every share), not again as ${kind}`) });
    }
  });

  it('skips virtiofs and 9p on every Xen guest type with what Xen has instead, and runs block on the PV disk', () => {
    for (const type of ['pv', 'pvh', 'hvm'] as const) {
      expect(caseDevices('xen', xenDevices(type), { share: { kind: 'virtiofs' } })).toEqual({ skip: expect.stringContaining('Xen has no virtiofs') });
      expect(caseDevices('xen', xenDevices(type), { share: { kind: '9p' } })).toEqual({ skip: expect.stringContaining('xl.cfg p9=') });
      expect(caseDevices('xen', xenDevices(type), { share: { kind: 'block' }, disk: { io: 'paravirtual', sizeMiB: 96 } })).toMatchObject({
        devices: { disk: { model: 'xen-vbd' }, share: { model: 'block' } },
      });
    }
  });

  it('skips a share on a backend that declares none, before looking at its disk', () => {
    const table: BackendDevices = withoutShares;
    expect(caseDevices('other', table, { share: { kind: 'block' }, disk: { io: 'emulated', sizeMiB: 96 } })).toEqual({
      skip: 'backend other cannot share a host folder with its guest (share block)',
    });
  });
});
