import { describe, expect, it } from 'vitest';
import { groupKey } from '../../src/stats/interleave.ts';

const cpu = groupKey({ workload: 'cpu', params: { threads: 1, timeSec: 5 } });

describe('interleaving groups', () => {
  it('groups cases that differ only in the backend, whatever the parameter order', () => {
    expect(groupKey({ workload: 'cpu', params: { timeSec: 5, threads: 1 } })).toBe(cpu);
    expect(groupKey({ workload: 'cpu', params: { threads: 2, timeSec: 5 } })).not.toBe(cpu);
  });
});
