import type { NewRun } from '../../src/results/run-record.ts';
import type { Sample } from '../../src/results/sample.ts';

export function newRun(overrides: Partial<NewRun> = {}): NewRun {
  return {
    startedAt: '2025-03-14T09:26:53.123Z',
    suite: { name: 'quick', file: 'suites/quick.ts', resolved: { name: 'quick', repetitions: 3 } },
    hvbench: { version: '0.1.0', revision: 'unknown' },
    hosts: [],
    backends: [{ backend: 'tcg', host: 'local', available: true, reason: 'qemu-system-x86_64 found', facts: { qemuVersion: '8.2.2' } }],
    image: { id: 'img-1', hash: 'abc123' },
    cases: [],
    ...overrides,
  };
}

export function sample(value: number, dims: Sample['dims'] = {}, metric = 'cpu.events_per_s'): Sample {
  return { metric, value, unit: 'events/s', better: 'higher', dims: { case: 'tcg/cpu/threads=1', ...dims }, ts: '2025-03-14T09:27:00.000Z' };
}
