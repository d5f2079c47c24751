import { z } from 'zod';
import { intParam, workersParam } from './int-params.ts';
import { numberIn, stepOutput } from './tool-output.ts';
import type { MetricDef, StepOutput, Workload } from './workload.ts';

const params = z.strictObject({
  /** Block size of each memory operation in KiB: small blocks weigh per-call overhead, large ones bandwidth. */
  blockKiB: intParam(1, 1_048_576, 1024),
  /** Seconds each of the two runs (read, write) lasts. */
  timeSec: intParam(1, 3600, 5),
  threads: workersParam(),
});

const OPERATIONS = ['read', 'write'] as const;

/** An operation's metric, one name for the metric list and parse(). */
const metricOf = (op: (typeof OPERATIONS)[number]) => `memory.${op}_mib_s`;

/** `6379.00 MiB transferred (3160.65 MiB/sec)`, sysbench 1.0's summary of a memory run. */
const TRANSFERRED = /^\s*[0-9.]+ MiB transferred \(([0-9.]+) MiB\/sec\)\s*$/m;

export function sysbenchMemoryRate(out: StepOutput): number {
  return numberIn(out.output, TRANSFERRED, `sysbench memory output (step ${out.id}) has no "MiB transferred (… MiB/sec)" line`);
}

/** sysbench memory: sequential reads, then writes, of `blockKiB` blocks over a shared buffer. */
export const memory: Workload<typeof params> = {
  name: 'memory',
  description: 'sysbench memory: sequential read and write bandwidth at one block size',
  params,
  tools: ['sysbench'],
  metrics: OPERATIONS.map(
    (op): MetricDef => ({ name: metricOf(op), unit: 'MiB/s', better: 'higher', description: `sequential ${op} rate (sysbench memory --memory-oper=${op})` }),
  ),
  expectedSeconds: (p) => OPERATIONS.length * (p.timeSec + 1),
  command: (p) => ({
    steps: OPERATIONS.map((op) => ({
      id: op,
      // The total is far beyond what the time allows: the run ends on time, not on size.
      argv: [
        'sysbench',
        'memory',
        `--threads=${p.threads}`,
        `--time=${p.timeSec}`,
        `--memory-block-size=${p.blockKiB}K`,
        '--memory-total-size=1T',
        `--memory-oper=${op}`,
        '--memory-access-mode=seq',
        'run',
      ],
    })),
  }),
  stepWork: () => OPERATIONS.map((op) => ({ step: op, metric: metricOf(op) })),
  parse(outputs) {
    return OPERATIONS.map((op) => ({ metric: metricOf(op), value: sysbenchMemoryRate(stepOutput(outputs, op)) }));
  },
};
