import { z } from 'zod';
import { intParam, workersParam } from './int-params.ts';
import { sysbenchField } from './sysbench-output.ts';
import { stepOutput } from './tool-output.ts';
import type { Workload } from './workload.ts';

const params = z.strictObject({
  /** Worker threads; usually the guest's vCPU count. */
  threads: workersParam(),
  /** How long sysbench runs, in seconds. */
  timeSec: intParam(1, 3600, 10),
  /** Upper bound of the prime search per event: the work per event. */
  maxPrime: intParam(100, 10_000_000, 10_000),
});

/** sysbench cpu: prime search in a tight loop, pure CPU with no I/O and hardly any memory traffic. */
export const cpu: Workload<typeof params> = {
  name: 'cpu',
  description: 'sysbench cpu: events per second and per-event latency',
  params,
  tools: ['sysbench'],
  metrics: [
    { name: 'cpu.events_per_s', unit: 'events/s', better: 'higher', description: 'prime-search events completed per second' },
    { name: 'cpu.latency_avg_ms', unit: 'ms', better: 'lower', description: 'mean time per event' },
    { name: 'cpu.latency_p95_ms', unit: 'ms', better: 'lower', description: '95th percentile of the time per event' },
  ],
  expectedSeconds: (p) => p.timeSec + 2,
  command: (p) => ({
    steps: [
      {
        id: 'cpu',
        argv: ['sysbench', 'cpu', `--threads=${p.threads}`, `--time=${p.timeSec}`, '--events=0', `--cpu-max-prime=${p.maxPrime}`, '--percentile=95', 'run'],
      },
    ],
  }),
  stepWork: () => [{ step: 'cpu', metric: 'cpu.events_per_s', ops: 'rate' }],
  parse(outputs) {
    const out = stepOutput(outputs, 'cpu');
    return [
      { metric: 'cpu.events_per_s', value: sysbenchField(out.output, 'events per second') },
      { metric: 'cpu.latency_avg_ms', value: sysbenchField(out.output, 'avg') },
      { metric: 'cpu.latency_p95_ms', value: sysbenchField(out.output, '95th percentile') },
    ];
  },
};
