import { describe, expect, it } from 'vitest';
import { clockDrift } from '../../src/runner/clock-drift.ts';

describe('guest clock drift', () => {
  it('is the guest clock against the host clock between ready and done, in ppm', () => {
    // 10 s on the host, 10.001 s on the guest: the guest ran 100 ppm fast.
    const [v] = clockDrift({ readyAt: 1_000_000, doneAt: 1_010_000, guestClockAtReadyNs: 5e9, guestClockAtDoneNs: 5e9 + 10.001e9 });
    expect(v?.metric).toBe('guest.clock_drift_ppm');
    expect(v?.value).toBeCloseTo(100, 6);
    expect(clockDrift({ readyAt: 0, doneAt: 20_000, guestClockAtReadyNs: 0, guestClockAtDoneNs: 19.99e9 })[0]?.value).toBeCloseTo(-500, 6);
  });

  it('is not computed without both readings, or over less than a second', () => {
    expect(clockDrift({ readyAt: 0, doneAt: 10_000, guestClockAtReadyNs: undefined, guestClockAtDoneNs: 1e10 })).toEqual([]);
    expect(clockDrift({ readyAt: 0, doneAt: undefined, guestClockAtReadyNs: 0, guestClockAtDoneNs: 1e10 })).toEqual([]);
    expect(clockDrift({ readyAt: 0, doneAt: 999, guestClockAtReadyNs: 0, guestClockAtDoneNs: 1e9 })).toEqual([]);
  });
});
