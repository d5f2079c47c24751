import { describe, expect, it } from 'vitest';
import type { Host } from '../../src/hosts/host.ts';
import type { RepetitionUsage } from '../../src/results/run-record.ts';
import { busyHostWatcher, busySeconds } from '../../src/tuning/busy-host.ts';

const stat = (user: number, system: number) => `cpu  ${user} 0 ${system} 99999 5 0 0 77 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n`;

describe('busy host', () => {
  it('counts user, nice, system, irq and softirq as busy, not idle, iowait or steal', () => {
    expect(busySeconds('cpu  100 10 50 9999 20 5 5 300 0 0\n')).toBe(1.7);
    expect(busySeconds('intr 1 2 3\n')).toBeUndefined();
  });

  it('flags a repetition during which other processes used more than the threshold, not one without', async () => {
    const reads = [stat(0, 0), stat(300, 100), stat(300, 100), stat(320, 100)];
    const host = { name: 'far', kind: 'remote', readFile: async () => reads.shift()! } as unknown as Host;
    const usage: RepetitionUsage = { rep: 1, warmup: false, cpuUserS: 1, cpuSystemS: 0, peakRssKiB: 1, seq: 4 };
    const w = busyHostWatcher({ hostOf: () => host, usageOf: (_id, rep) => ({ ...usage, rep }) });
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    w.observe({ type: 'rep-start', caseId: 'tcg/cpu', rep: 1, warmup: false });
    await wait(1000);
    w.observe({ type: 'rep-end', caseId: 'tcg/cpu', rep: 1, warmup: false });
    await wait(10);
    w.observe({ type: 'rep-start', caseId: 'tcg/cpu', rep: 2, warmup: false });
    await wait(1000);
    w.observe({ type: 'rep-end', caseId: 'tcg/cpu', rep: 2, warmup: false });
    const records = await w.settle();
    const r = records.get('far')!;
    expect(r.checked).toBe(2);
    // Rep 1: 4 s busy, 1 s of it the VMM's, over about 1 s: 3 CPUs of others. Rep 2: 0.2 s busy, less than the VMM's own.
    expect(r.flagged).toEqual([{ caseId: 'tcg/cpu', rep: 1, warmup: false, seq: 4, wallS: expect.closeTo(1, 0), otherCpuS: 3 }]);
  });
});
