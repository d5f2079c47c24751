import { describe, expect, it } from 'vitest';
import { backends } from '../../src/backends/registry.ts';
import { LocalHost } from '../../src/hosts/local.ts';
import { USER_MODE_QUEUES } from '../../src/network/netns-plan.ts';
import { networkProblem, type HostState } from '../../src/runner/case-plan.ts';
import type { NetworkProvider } from '../../src/runner/case-setup.ts';

const state = { run: { config: { name: 'local', kind: 'local' }, host: new LocalHost() }, capabilities: new Map() } as unknown as HostState;
const nic = (queues?: number) => ({ model: 'virtio-net', io: 'paravirtual' as const, ...(queues === undefined ? {} : { queues }) });
const provider = (refuses?: NetworkProvider['refuses']): NetworkProvider => ({
  open: () => Promise.reject(new Error('not here')),
  ...(refuses ? { refuses } : {}),
});

describe("planning a case's network", () => {
  it("asks the backend's provider, with the NIC's queues and the case's host", () => {
    const asked: unknown[] = [];
    const refusing = provider((r) => {
      asked.push(r);
      return (r.queues ?? 1) > 1 ? 'no multi-queue here' : undefined;
    });
    const o = { networks: { 'host-netns': refusing } } as never;
    expect(networkProblem(nic(2), backends['tcg']!, state, o)).toBe('no multi-queue here');
    expect(networkProblem(nic(), backends['tcg']!, state, o)).toBeUndefined();
    expect(asked).toEqual([
      { model: 'virtio-net', host: state.run.host, queues: 2 },
      { model: 'virtio-net', host: state.run.host },
    ]);
    // A provider that says nothing can serve everything.
    expect(networkProblem(nic(2), backends['tcg']!, state, { networks: { 'host-netns': provider() } } as never)).toBeUndefined();
  });

  it("without a provider a QEMU NIC is QEMU's user-mode networking, which has one queue", () => {
    expect(networkProblem(nic(2), backends['kvm']!, state, {} as never)).toBe(USER_MODE_QUEUES);
    expect(networkProblem(nic(1), backends['kvm']!, state, {} as never)).toBeUndefined();
  });
});
