import { describe, expect, it } from 'vitest';
import type { ReportRun } from '../../src/report/input.ts';
import { busyHostWarnings, warningCounts } from '../../src/report/warnings.ts';

describe('busy-host warnings', () => {
  it('one warning per run and host with its flagged repetitions, counted per repetition', () => {
    const run = {
      record: {
        id: 'r1',
        hosts: [
          {
            name: 'local',
            tuning: {
              busy: {
                thresholdCpus: 0.2,
                checked: 6,
                flagged: [
                  { caseId: 'kvm/cpu', rep: 2, warmup: false, wallS: 10, otherCpuS: 5 },
                  { caseId: 'tcg/cpu', rep: 1, warmup: true, wallS: 10, otherCpuS: 3 },
                ],
              },
            },
          },
          { name: 'quiet', tuning: { busy: { thresholdCpus: 0.2, checked: 6, flagged: [] } } },
        ],
      },
    } as unknown as ReportRun;
    const warnings = busyHostWarnings([run]);
    expect(warnings).toEqual([
      {
        kind: 'busy-host',
        text: 'r1 on local: other processes used more than 0.2 CPUs on average during 2 of 6 repetitions (up to 0.50 CPUs): their figures may carry that load',
        items: ['kvm/cpu rep 2 (0.50 CPUs)', 'tcg/cpu warm-up 1 (0.30 CPUs)'],
      },
    ]);
    expect(warningCounts(warnings)['busy-host']).toBe(2);
  });
});
