import { describe, expect, it } from 'vitest';
import { backends } from '../../src/backends/registry.ts';
import { caseDevices } from '../../src/devices/case-devices.ts';
import type { DeviceNeeds } from '../../src/devices/models.ts';

const plan = (backend: string, needs: DeviceNeeds, variant?: string, facts: Record<string, string> = {}) =>
  caseDevices(backend, backends[backend]!.devices(variant), needs, facts);
const virtio = (queues?: number): DeviceNeeds => ({ nic: { io: 'paravirtual', ...(queues === undefined ? {} : { queues }) } });

describe('NIC queue pairs asked for by a case, checked at planning', () => {
  it('QEMU (tcg, kvm) on a PCI board: the queues travel with the virtio-net NIC, with vhost too', () => {
    for (const b of ['tcg', 'kvm']) {
      expect(plan(b, virtio(2))).toEqual({ devices: { nic: { model: 'virtio-net', io: 'paravirtual', queues: 2 } } });
      expect(plan(b, virtio(2), 'q35')).toEqual({ devices: { nic: { model: 'virtio-net', io: 'paravirtual', queues: 2 } } });
    }
    expect(plan('kvm', { nic: { io: 'paravirtual', vhost: 'on', queues: 2 } }, undefined, { vhostNet: 'yes' })).toEqual({
      devices: { nic: { model: 'virtio-net', io: 'paravirtual', vhost: 'on', queues: 2 } },
    });
  });

  it('no queues asked: the NIC carries none, on every backend', () => {
    for (const b of ['tcg', 'kvm', 'xen']) expect(plan(b, virtio())).toEqual({ devices: { nic: expect.not.objectContaining({ queues: expect.anything() }) } });
  });

  it('QEMU microvm: skipped, as its virtio-net is on virtio-mmio', () => {
    expect(plan('tcg', virtio(2), 'microvm')).toEqual({ skip: expect.stringMatching(/virtio-mmio, where every queue shares one interrupt$/) });
    expect(plan('tcg', virtio(1), 'microvm')).toEqual({ devices: { nic: { model: 'virtio-net', io: 'paravirtual', queues: 1 } } });
  });

  it("Xen: skipped naming what it has instead (netfront and netback negotiate, xen_netback's max_queues)", () => {
    const r = plan('xen', virtio(2));
    expect(r).toEqual({ skip: expect.stringContaining('Xen cannot set 2 NIC queue pairs: netfront and netback negotiate them') });
    expect(r).toEqual({ skip: expect.stringContaining("dom0's xen_netback.max_queues") });
    expect(plan('xen', virtio(1))).toEqual({ devices: { nic: { model: 'xen-vif', io: 'paravirtual', queues: 1 } } });
  });

  it('native: no NIC at all, the reason is the one every native NIC case has', () => {
    expect(plan('native', virtio(2))).toEqual({ skip: expect.stringMatching(/^not applicable: native runs on the host/) });
  });
});
