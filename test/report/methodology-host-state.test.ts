import { describe, expect, it } from 'vitest';
import { hostStateLines } from '../../src/report/methodology.ts';
import type { ReportRun } from '../../src/report/input.ts';
import type { HostFacts } from '../../src/results/run-record.ts';

const run = (hosts: Partial<HostFacts>[]) => ({ record: { id: 'r1', hosts }, samples: [], warnings: [] }) as unknown as ReportRun;

describe('the Host state item of the methodology', () => {
  it('lists what was read, what --stabilize set and left, and what differed when measuring stopped', () => {
    const lines = hostStateLines([
      run([
        {
          name: 'local',
          tuning: {
            before: { governor: { unavailable: 'no cpufreq' }, thp: { value: 'madvise', detail: 'always [madvise] never' } },
            after: { governor: { unavailable: 'no cpufreq' }, thp: { value: 'always' } },
            stabilized: {
              changed: [{ setting: 'thp', path: '/sys/kernel/mm/transparent_hugepage/enabled', previous: 'always', applied: 'madvise' }],
              notChanged: [{ setting: 'governor', why: 'not available here: no cpufreq' }],
              restored: true,
            },
          },
        },
        { name: 'old' },
      ]),
    ]);
    expect(lines).toEqual([
      'r1 on local, when measuring started: CPU frequency governor not available (no cpufreq); transparent huge pages madvise',
      'r1 on local, --stabilize: set transparent huge pages always → madvise; left CPU frequency governor (not available here: no cpufreq); put back after the run',
      'r1 on local: DIFFERED when measuring stopped: transparent huge pages madvise → always',
      'r1 on old: not recorded (a run from before hvbench read the host state)',
    ]);
  });
});

describe('settings that differ between runs', () => {
  it('are named with the runs that had each value', () => {
    const a = run([{ name: 'local', tuning: { before: { thp: { value: 'madvise' }, smt: { value: 'on' } } } }]);
    const b = {
      ...a,
      record: { ...a.record, id: 'r2', hosts: [{ name: 'local', tuning: { before: { thp: { value: 'always' }, smt: { value: 'on' } } } }] },
    } as unknown as ReportRun;
    expect(hostStateLines([a, b]).at(-1)).toBe('transparent huge pages DIFFERS between the runs compared: madvise (r1 on local); always (r2 on local)');
    expect(hostStateLines([a]).some((l) => l.includes('DIFFERS'))).toBe(false);
  });
});
