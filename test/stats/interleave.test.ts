import { describe, expect, it } from 'vitest';
import { groupKey, planRepetitions, type PlanCase } from '../../src/stats/interleave.ts';

const cpu = groupKey({ workload: 'cpu', params: { threads: 1, timeSec: 5 } });
const boot = groupKey({ workload: 'boot', params: {} });
const cases: PlanCase[] = [
  { id: 'tcg/cpu', backend: 'tcg', group: cpu, warmup: 1, repetitions: 3 },
  { id: 'tcg/boot', backend: 'tcg', group: boot, warmup: 0, repetitions: 2 },
  { id: 'native/cpu', backend: 'native', group: cpu, warmup: 1, repetitions: 3 },
  { id: 'native/boot', backend: 'native', group: boot, warmup: 0, repetitions: 1 },
];
const show = (plan: ReturnType<typeof planRepetitions>) => plan.map((p) => `${p.caseId}:${p.warmup ? 'w' : 'r'}${p.rep}`);

describe('interleaving planner', () => {
  it('groups cases that differ only in the backend, whatever the parameter order', () => {
    expect(groupKey({ workload: 'cpu', params: { timeSec: 5, threads: 1 } })).toBe(cpu);
    expect(groupKey({ workload: 'cpu', params: { threads: 2, timeSec: 5 } })).not.toBe(cpu);
  });

  it('runs warm-ups first, then alternates backends A B A B, group by group', () => {
    const plan = planRepetitions(cases);
    expect(show(plan)).toEqual([
      'tcg/cpu:w1', 'native/cpu:w1',
      'tcg/cpu:r1', 'native/cpu:r1', 'tcg/cpu:r2', 'native/cpu:r2', 'tcg/cpu:r3', 'native/cpu:r3',
      'tcg/boot:r1', 'native/boot:r1', 'tcg/boot:r2',
    ]);
    expect(plan.map((p) => p.seq)).toEqual(plan.map((_, i) => i));
  });

  it('runs each case in a row when interleaving is off', () => {
    expect(show(planRepetitions(cases, { interleave: false })).slice(0, 5)).toEqual(['tcg/cpu:w1', 'tcg/cpu:r1', 'tcg/cpu:r2', 'tcg/cpu:r3', 'tcg/boot:r1']);
  });
});
