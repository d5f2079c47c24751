import { describe, expect, it } from 'vitest';
import { backends } from '../../src/backends/registry.ts';
import { caseDevices } from '../../src/devices/case-devices.ts';
import type { DeviceNeeds } from '../../src/devices/models.ts';

/** A case's devices on a backend as its declaration (Backend.devices) resolves them, with the probe's facts on the host. */
const plan = (backend: string, needs: DeviceNeeds, facts: Record<string, string> = {}) => caseDevices(backend, backends[backend]!.devices(), needs, facts);
const virtio = (vhost?: 'auto' | 'on' | 'off'): DeviceNeeds => ({ nic: { io: 'paravirtual', ...(vhost ? { vhost } : {}) } });

describe('vhost-net asked for by a case, checked at planning', () => {
  it('auto (or nothing) asks nothing of any backend: the NIC carries no vhost choice', () => {
    for (const b of ['tcg', 'kvm', 'xen']) {
      expect(plan(b, virtio())).toEqual({ devices: { nic: expect.not.objectContaining({ vhost: expect.anything() }) } });
      expect(plan(b, virtio('auto'))).toEqual(plan(b, virtio()));
    }
  });

  it('KVM: on and off travel with the NIC where the host has /dev/vhost-net', () => {
    expect(plan('kvm', virtio('on'), { vhostNet: 'yes' })).toEqual({ devices: { nic: { model: 'virtio-net', io: 'paravirtual', vhost: 'on' } } });
    expect(plan('kvm', virtio('off'), { vhostNet: 'yes' })).toEqual({ devices: { nic: { model: 'virtio-net', io: 'paravirtual', vhost: 'off' } } });
    expect(plan('kvm', virtio('off'), { vhostNet: 'no' })).toEqual({ devices: { nic: { model: 'virtio-net', io: 'paravirtual', vhost: 'off' } } });
  });

  it('KVM: on is skipped with why where /dev/vhost-net is not usable, or for a NIC that is not virtio-net', () => {
    expect(plan('kvm', virtio('on'), { vhostNet: 'no' })).toEqual({
      skip: expect.stringMatching(/^\/dev\/vhost-net is not usable on this host \(load the vhost_net module/),
    });
    expect(plan('kvm', { nic: { io: 'emulated', vhost: 'on' } }, { vhostNet: 'yes' })).toEqual({ skip: 'vhost-net serves virtio-net only, not e1000' });
  });

  it("TCG: on is skipped (vhost needs KVM's irqfd), off runs", () => {
    expect(plan('tcg', virtio('on'))).toEqual({ skip: expect.stringMatching(/^vhost-net needs KVM \(its irqfd and ioeventfd\)/) });
    expect(plan('tcg', virtio('off'))).toEqual({ devices: { nic: { model: 'virtio-net', io: 'paravirtual', vhost: 'off' } } });
  });

  it('a backend without a vhost switch skips on and off with why', () => {
    const xen = { nic: { io: 'paravirtual' as const, vhost: 'on' as const } };
    expect(plan('xen', xen)).toEqual({ skip: "backend xen has no vhost-net switch (vhost on is for QEMU's virtio-net on a tap)" });
  });
});
