import { describe, expect, it } from 'vitest';
import { densityAggregates, densityMetricDefs, jainIndex, minMaxRatio } from '../../src/runner/density-metrics.ts';
import type { MetricDef } from '../../src/workloads/workload.ts';

const eps: MetricDef = { name: 'cpu.events_per_s', unit: 'events/s', better: 'higher', description: 'events' };
const latency: MetricDef = { name: 'cpu.latency_avg_ms', unit: 'ms', better: 'lower', description: 'latency' };

describe("Jain's fairness index and the min/max ratio", () => {
  it('are 1 for equal shares and for one guest', () => {
    expect(jainIndex([5, 5, 5, 5])).toBe(1);
    expect(jainIndex([7])).toBe(1);
    expect(minMaxRatio([3, 3])).toBe(1);
    expect(minMaxRatio([9])).toBe(1);
  });

  it('fall to 1/N and 0 when one guest gets everything', () => {
    expect(jainIndex([10, 0, 0, 0])).toBeCloseTo(0.25, 12);
    expect(minMaxRatio([10, 0, 0, 0])).toBe(0);
  });

  it('match hand-worked values', () => {
    // (1 + 2 + 3)² / (3 · (1 + 4 + 9)) = 36 / 42
    expect(jainIndex([1, 2, 3])).toBeCloseTo(36 / 42, 12);
    expect(minMaxRatio([100, 300])).toBeCloseTo(1 / 3, 12);
    // (100 + 300)² / (2 · (100² + 300²)) = 160000 / 200000
    expect(jainIndex([100, 300])).toBeCloseTo(0.8, 12);
  });

  it('are 1 when every value is 0 and refuse no values', () => {
    expect(jainIndex([0, 0])).toBe(1);
    expect(minMaxRatio([0, 0])).toBe(1);
    expect(() => jainIndex([])).toThrow(RangeError);
    expect(() => minMaxRatio([])).toThrow(RangeError);
  });
});

describe('the aggregates of a density repetition', () => {
  it('sum a throughput and rate its fairness, named after the headline metric', () => {
    const values = densityAggregates(eps, [[{ metric: 'cpu.events_per_s', value: 100 }], [{ metric: 'cpu.events_per_s', value: 300 }]]);
    expect(values.map((v) => v.metric)).toEqual(['cpu.events_per_s.sum', 'cpu.events_per_s.min_max_ratio', 'cpu.events_per_s.jain']);
    expect(values[0]!.value).toBe(400);
    expect(values[1]!.value).toBeCloseTo(1 / 3, 12);
    expect(values[2]!.value).toBeCloseTo(0.8, 12);
    expect(densityMetricDefs(eps).map((d) => [d.name, d.unit, d.better])).toEqual([
      ['cpu.events_per_s.sum', 'events/s', 'higher'],
      ['cpu.events_per_s.min_max_ratio', 'ratio', 'higher'],
      ['cpu.events_per_s.jain', 'ratio', 'higher'],
    ]);
  });

  it('never sum a lower-is-better metric', () => {
    expect(densityMetricDefs(latency).map((d) => d.name)).toEqual(['cpu.latency_avg_ms.min_max_ratio', 'cpu.latency_avg_ms.jain']);
    const values = densityAggregates(latency, [[{ metric: 'cpu.latency_avg_ms', value: 2 }], [{ metric: 'cpu.latency_avg_ms', value: 2 }]]);
    expect(values.map((v) => v.metric)).toEqual(['cpu.latency_avg_ms.min_max_ratio', 'cpu.latency_avg_ms.jain']);
  });

  it('are left out when a guest did not report the metric', () => {
    expect(densityAggregates(eps, [[{ metric: 'cpu.events_per_s', value: 100 }], []])).toEqual([]);
  });
});
