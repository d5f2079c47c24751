import { describe, expect, it } from 'vitest';
import type { RepOutcome } from '../../src/runner/repetition.ts';
import { rejectOutOfRange } from '../../src/runner/value-check.ts';

const outcome = (values: RepOutcome['values'], extra: Partial<RepOutcome> = {}): RepOutcome => ({
  status: 'completed',
  values,
  startedAt: '2026-01-01T00:00:00.000Z',
  wallMs: 1,
  guestLog: [],
  vmmLog: '',
  steps: [],
  facts: {},
  dims: {},
  ...extra,
});

describe('rejectOutOfRange', () => {
  it('keeps values in range, −0 as 0', () => {
    const r = rejectOutOfRange(
      outcome([
        { metric: 'a', value: 1 },
        { metric: 'b', value: -0 },
      ]),
    );
    expect(r.status).toBe('completed');
    expect(r.values).toEqual([
      { metric: 'a', value: 1 },
      { metric: 'b', value: 0 },
    ]);
    expect(Object.is(r.values[1]!.value, 0)).toBe(true);
  });

  it('drops values no metric can have and fails the repetition, naming them', () => {
    const r = rejectOutOfRange(
      outcome([
        { metric: 'cpu.events_per_s', value: 1e308 },
        { metric: 'boot.to_ready_ms', value: 900 },
        { metric: 'x', value: -2 },
      ]),
    );
    expect(r.status).toBe('failed');
    expect(r.values).toEqual([{ metric: 'boot.to_ready_ms', value: 900 }]);
    expect(r.error).toBe(
      'refused values no metric can have: cpu.events_per_s: value 1e+308 is above 1000000000000000, more than any metric can measure; x: value -2 is negative; no metric of hvbench but guest.clock_drift_ppm can be',
    );
  });

  it('keeps the first cause of a repetition that had already failed', () => {
    const r = rejectOutOfRange(outcome([{ metric: 'a', value: Number.NaN }], { status: 'timed-out', error: 'timed out after 10 s' }));
    expect(r.status).toBe('timed-out');
    expect(r.error).toBe('timed out after 10 s; refused a value no metric can have: a: value NaN is not a finite number');
  });
});
