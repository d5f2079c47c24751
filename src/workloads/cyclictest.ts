import { z } from 'zod';
import { HvbError } from '../util/errors.ts';
import { intParam, workersParam } from './int-params.ts';
import { stepOutput } from './tool-output.ts';
import type { Workload } from './workload.ts';

const params = z.strictObject({
  /** Seconds of the run. */
  timeSec: intParam(1, 3600, 10),
  /** Wake-up interval in microseconds. */
  intervalUs: intParam(100, 1_000_000, 1000),
  /** Measuring threads (SCHED_FIFO priority 80); their figures are combined. */
  threads: workersParam(),
});

/** `T: 0 (   98) P:80 I:1000 C:   2740 Min:     47 Act:  191 Avg:  351 Max:   14544` */
const THREAD = /^T:\s*(\d+)\s+\(\s*\d+\)\s+P:\s*\d+\s+I:\s*\d+\s+C:\s*(\d+)\s+Min:\s*(\d+)\s+Act:\s*\d+\s+Avg:\s*(\d+)\s+Max:\s*(\d+)\s*$/;

/** Min, mean (weighted by cycles) and max wake-up latency over all threads of `cyclictest -q`. */
export function parseCyclictest(output: string, threads: number): { minUs: number; avgUs: number; maxUs: number } {
  const rows = output.split('\n').flatMap((l) => {
    const m = THREAD.exec(l.trim());
    return m ? [{ cycles: Number(m[2]), min: Number(m[3]), avg: Number(m[4]), max: Number(m[5]) }] : [];
  });
  if (rows.length !== threads) {
    const fatal = output.split('\n').find((l) => /^(FATAL|ERROR|Error|Usage)/.test(l));
    throw new HvbError('parse', `cyclictest printed ${rows.length} thread summaries, expected ${threads}${fatal ? ` (it said: ${fatal.trim()})` : ''}`);
  }
  const cycles = rows.reduce((n, r) => n + r.cycles, 0);
  if (cycles === 0) throw new HvbError('parse', 'cyclictest counted no wake-ups');
  return {
    minUs: Math.min(...rows.map((r) => r.min)),
    avgUs: rows.reduce((n, r) => n + r.avg * r.cycles, 0) / cycles,
    maxUs: Math.max(...rows.map((r) => r.max)),
  };
}

/** rt-tests' cyclictest: how late a SCHED_FIFO thread wakes from a periodic timer. */
export const cyclictest: Workload<typeof params> = {
  name: 'cyclictest',
  description: 'cyclictest: timer wake-up latency of a real-time thread',
  params,
  tools: ['cyclictest'],
  metrics: [
    { name: 'micro.timer_latency_min_us', unit: 'us', better: 'lower', description: 'smallest wake-up latency' },
    { name: 'micro.timer_latency_avg_us', unit: 'us', better: 'lower', description: 'mean wake-up latency' },
    { name: 'micro.timer_latency_max_us', unit: 'us', better: 'lower', description: 'largest wake-up latency' },
  ],
  expectedSeconds: (p) => p.timeSec + 2,
  command: (p) => ({
    steps: [{ id: 'cyclictest', argv: ['cyclictest', '-q', '-m', '-p', '80', '-i', String(p.intervalUs), '-t', String(p.threads), '-D', String(p.timeSec)] }],
  }),
  parse(outputs, p) {
    const r = parseCyclictest(stepOutput(outputs, 'cyclictest').output, p.threads);
    return [
      { metric: 'micro.timer_latency_min_us', value: r.minUs },
      { metric: 'micro.timer_latency_avg_us', value: r.avgUs },
      { metric: 'micro.timer_latency_max_us', value: r.maxUs },
    ];
  },
};
