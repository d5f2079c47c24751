import { describe, expect, it } from 'vitest';
import { assignHosts } from '../../src/runner/host-assign.ts';

const guest = { vcpus: 1, memoryMiB: 512 };
const c = (backend: string, workload: string, params: Record<string, unknown> = {}) => ({ backend, workload, params, guest });

describe('assignHosts', () => {
  const local = { name: 'local', backends: ['tcg', 'native'] };
  const labKvm = { name: 'lab-kvm', backends: ['kvm', 'tcg'] };
  const labXen = { name: 'lab-xen', backends: ['xen'] };

  it('sends each case to a host that offers its backend', () => {
    const plan = assignHosts([c('kvm', 'cpu'), c('xen', 'cpu'), c('native', 'cpu')], [local, labKvm, labXen], false);
    expect(plan).toEqual([{ host: 'lab-kvm' }, { host: 'lab-xen' }, { host: 'local' }]);
  });

  it('keeps cases that take turns on one host when one host offers all their backends', () => {
    const plan = assignHosts([c('tcg', 'cpu'), c('kvm', 'cpu')], [local, labKvm]);
    expect(plan).toEqual([{ host: 'lab-kvm' }, { host: 'lab-kvm' }]);
  });

  it('splits such a group when no single host offers every backend', () => {
    const plan = assignHosts([c('native', 'cpu'), c('kvm', 'cpu')], [local, labKvm]);
    expect(plan).toEqual([{ host: 'local' }, { host: 'lab-kvm' }]);
  });

  it('balances cases over hosts offering the same backend, in a stable order', () => {
    const a = { name: 'a', backends: ['kvm'] };
    const b = { name: 'b', backends: ['kvm'] };
    const cases = [c('kvm', 'cpu'), c('kvm', 'memory'), c('kvm', 'disk'), c('kvm', 'boot')];
    expect(assignHosts(cases, [a, b])).toEqual([{ host: 'a' }, { host: 'b' }, { host: 'a' }, { host: 'b' }]);
    expect(assignHosts(cases, [a, b])).toEqual(assignHosts(cases, [a, b]));
  });

  it('says why a case has no host', () => {
    const [plan] = assignHosts([c('xen', 'cpu')], [local]);
    expect(plan).toEqual({ unassigned: 'no selected host offers backend xen (local offers tcg, native)' });
    expect(assignHosts([c('xen', 'cpu')], [])).toEqual([{ unassigned: 'no selected host offers backend xen (no hosts selected)' }]);
  });
});
