import { describe, expect, it } from 'vitest';
import type { NicSpec } from '../../../src/backends/common/backend.ts';
import { nicArgv } from '../../../src/backends/qemu/devices.ts';
import { machineOf } from '../../../src/backends/qemu/machines.ts';
import { qemuNicQueues, virtioNetVectors } from '../../../src/backends/qemu/nic-queues.ts';

const tap = { kind: 'tap', ifname: 'hvb-tap0' } as const;
const virtio = (queues?: number, attach: NicSpec['attach'] = tap): NicSpec => ({
  id: 'net0',
  model: 'virtio-net',
  attach,
  ...(queues === undefined ? {} : { queues }),
});

describe('multi-queue virtio-net on QEMU', () => {
  it('opens the tap once per queue and offers the pairs to the guest, with a vector per queue and two more', () => {
    expect(nicArgv([virtio(2)])).toEqual([
      '-netdev',
      'tap,id=net0,ifname=hvb-tap0,script=no,downscript=no,queues=2',
      '-device',
      'virtio-net-pci,netdev=net0,mq=on,vectors=6',
    ]);
    expect(nicArgv([virtio(4)], { machine: machineOf('q35') })[3]).toBe('virtio-net-pci,netdev=net0,mq=on,vectors=10');
    expect(virtioNetVectors(1)).toBe(4);
  });

  it('keeps vhost-net with the queues: it serves every queue pair', () => {
    expect(nicArgv([virtio(2)], { vhostNet: true })[1]).toBe('tap,id=net0,ifname=hvb-tap0,script=no,downscript=no,queues=2,vhost=on');
  });

  it('one queue pair is the command line every NIC had', () => {
    expect(nicArgv([virtio(1)])).toEqual(nicArgv([virtio()]));
    expect(nicArgv([virtio()])).toEqual(['-netdev', 'tap,id=net0,ifname=hvb-tap0,script=no,downscript=no', '-device', 'virtio-net-pci,netdev=net0']);
  });

  it('refuses a VmSpec built by hand that QEMU or the tap could not honour, naming the NIC', () => {
    expect(() => nicArgv([virtio(2, { kind: 'user' })])).toThrow('NIC "net0": 2 queue pairs need a multi-queue tap, not user networking');
    expect(() => nicArgv([{ ...virtio(2), model: 'e1000' }])).toThrow('NIC "net0": QEMU\'s e1000 has a single queue; queue pairs are virtio-net\'s (mq)');
    expect(() => nicArgv([virtio(0)])).toThrow('queues must be a whole number from 1 to 16, got 0');
    expect(() => nicArgv([virtio(17)])).toThrow('queues must be a whole number from 1 to 16, got 17');
    expect(() => nicArgv([virtio(2)], { machine: machineOf('microvm') })).toThrow(/machine microvm attaches it over virtio-mmio/);
  });

  it('says which NICs can have several queues, by model and board', () => {
    const pc = qemuNicQueues(machineOf('pc'));
    expect(pc(2, 'virtio-net')).toBeUndefined();
    expect(pc(1, 'rtl8139')).toBeUndefined();
    expect(pc(2, 'rtl8139')).toBe("QEMU's rtl8139 has a single queue; queue pairs are virtio-net's (mq)");
    expect(qemuNicQueues(machineOf('microvm'))(2, 'virtio-net')).toMatch(/^hvbench gives virtio-net several queues on PCI only/);
  });
});
