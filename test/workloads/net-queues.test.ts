import { describe, expect, it } from 'vitest';
import { tapEndpoint } from '../../src/network/netns-plan.ts';
import { expandSuite } from '../../src/suite/expand.ts';
import { resolveSuite } from '../../src/suite/resolve.ts';
import { net } from '../../src/workloads/net.ts';
import { NET_QUEUES_STEP, parseNetQueues } from '../../src/workloads/net-queues.ts';
import type { Workload } from '../../src/workloads/workload.ts';

const deps = { workloads: { net: net as unknown as Workload }, backends: ['tcg', 'kvm', 'xen', 'native'] };
const suite = (vcpus: number, params: Record<string, unknown>) => ({
  name: 'q',
  backends: ['tcg'],
  guest: { vcpus },
  workloads: [{ workload: 'net', params }],
});
const issues = (params: Record<string, unknown>) => {
  const r = net.params.safeParse(params);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('net workload: queues (multi-queue virtio-net)', () => {
  it('asks for the queue pairs with the paravirtual NIC, alone or with vhost', () => {
    expect(net.devices!(net.params.parse({ queues: 2 }))).toEqual({ nic: { io: 'paravirtual', queues: 2 } });
    expect(net.devices!(net.params.parse({ queues: 2, vhost: 'on', device: 'virtio-net' }))).toEqual({
      nic: { io: 'paravirtual', device: 'virtio-net', vhost: 'on', queues: 2 },
    });
    expect(net.devices!(net.params.parse({}))).toEqual({ nic: { io: 'paravirtual' } });
    // Xen's netfront is paravirtual: the schema takes it, the Xen backend skips it with its reason.
    expect(issues({ queues: 2, device: 'xen-vif' })).toEqual([]);
  });

  it('refuses queues for an emulated NIC, naming the field and the model', () => {
    expect(issues({ queues: 2, device: 'e1000' })).toEqual([
      { path: 'queues', message: "queues sets the queue pairs of a paravirtual NIC (virtio-net, Xen's netfront); e1000 has a single queue" },
    ]);
    expect(issues({ queues: 1, device: 'rtl8139' })).toEqual([{ path: 'queues', message: expect.stringContaining('rtl8139 has a single queue') }]);
    expect(issues({ queues: 2, io: 'emulated' })).toEqual([
      { path: 'queues', message: expect.stringContaining('an emulated NIC (e1000 on QEMU) has a single queue') },
    ]);
    expect(issues({ queues: 0 }).map((i) => i.path)).toEqual(['queues']);
    expect(issues({ queues: 17 }).map((i) => i.path)).toEqual(['queues']);
    expect(issues({ queues: 1.5 }).map((i) => i.path)).toEqual(['queues']);
  });

  it('runs iperf3 with one stream per queue pair; one pair (or none asked) keeps the single stream', () => {
    const argv = (params: Record<string, unknown>, id: string) =>
      net
        .command(net.params.parse({ timeSec: 3, ...params }), { net: tapEndpoint() })
        .steps.find((s) => s.id === id)!
        .argv.join(' ');
    expect(argv({ queues: 2 }, 'net-tx')).toBe('iperf3 -c 10.213.0.1 -p 5201 -J -t 3 -P 2');
    expect(argv({ queues: 2 }, 'net-rx')).toBe('iperf3 -c 10.213.0.1 -p 5201 -J -t 3 -P 2 -R');
    expect(argv({ queues: 1 }, 'net-tx')).toBe('iperf3 -c 10.213.0.1 -p 5201 -J -t 3');
    expect(argv({}, 'net-tx')).toBe('iperf3 -c 10.213.0.1 -p 5201 -J -t 3');
    expect(argv({ queues: 2 }, NET_QUEUES_STEP)).toBe('ls /sys/class/net/@nic/queues');
  });

  it('records the queue pairs the guest uses as nic_queues, from the listing of its queues', () => {
    const out = (output: string) => [{ id: NET_QUEUES_STEP, exitCode: 0, output, elapsedMs: 1 }];
    expect(net.observedDims!(out('rx-0\nrx-1\ntx-0\ntx-1\n'), net.params.parse({ queues: 2 }))).toEqual({ nic_queues: 2 });
    expect(net.observedDims!(out('rx-0  tx-0'), net.params.parse({}))).toEqual({ nic_queues: 1 });
    expect(parseNetQueues('rx-0\nrx-1\nrx-2\nrx-3\ntx-0\ntx-1\ntx-2\ntx-3')).toBe(4);
    expect(() => parseNetQueues('rx-0\nrx-1\ntx-0')).toThrow("the NIC's queue listing has 2 rx and 1 tx queues");
    expect(() => parseNetQueues('ls: /sys/class/net/eth0/queues: No such file or directory')).toThrow('has 0 rx and 0 tx queues');
    expect(() => net.observedDims!([], net.params.parse({}))).toThrow(NET_QUEUES_STEP);
  });

  it('refuses, when the suite is read, more queue pairs than the guest has vCPUs, naming both numbers', () => {
    expect(() => resolveSuite(suite(1, { queues: 2 }), deps)).toThrow(
      'workloads[0].params.queues: 2 NIC queue pairs need as many vCPUs, and the guest has 1 (the guest uses one pair per vCPU at most) (with queues=2)',
    );
    expect(() => resolveSuite(suite(2, { queues: [1, 4] }), deps)).toThrow(/4 NIC queue pairs need as many vCPUs, and the guest has 2/);
    const cases = expandSuite(resolveSuite(suite(2, { queues: [1, 2] }), deps), deps);
    expect(cases.map((c) => c.id)).toEqual(['tcg/net/queues=1', 'tcg/net/queues=2']);
  });
});
