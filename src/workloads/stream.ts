import { z } from 'zod';
import { HvbError } from '../util/errors.ts';
import { intParam, workersParam } from './int-params.ts';
import { stepOutput, toolOutputHint } from './tool-output.ts';
import type { Workload } from './workload.ts';

const params = z.strictObject({
  /** Seconds of the run; stress-ng reports no rate below about 4.5 s of stream work. */
  timeSec: intParam(5, 3600, 10),
  /** Parallel stream instances; their rates are added. */
  instances: workersParam(),
  /**
   * The last-level cache size stress-ng sizes its arrays from (4× this each), fixed so that
   * every backend works on the same arrays whatever cache its virtual CPU reports.
   */
  cacheMiB: intParam(1, 4096, 16),
});

/** `stream: memory rate: 155.77 MB read/sec, 103.85 MB write/sec, 13.61 Mflop/sec (instance 0)` */
const RATE = /stream: memory rate: ([0-9.]+) MB read\/sec, ([0-9.]+) MB write\/sec, [0-9.]+ Mflop\/sec \(instance (\d+)\)/g;

/** Read and write rates summed over the instances, from stress-ng 0.15's stream stressor output. */
export function parseStream(output: string, instances: number): { readMBs: number; writeMBs: number } {
  const found = [...output.matchAll(RATE)];
  if (found.length !== instances) {
    const short = output.includes('run duration too short');
    throw new HvbError(
      'parse',
      `stress-ng stream reported ${found.length} memory rates, expected ${instances}${short ? ': the run was too short to determine a memory rate' : ''}`,
      {
        hint: short ? 'raise timeSec: stress-ng needs several seconds of stream work per instance' : toolOutputHint(output),
      },
    );
  }
  return {
    readMBs: found.reduce((n, m) => n + Number(m[1]), 0),
    writeMBs: found.reduce((n, m) => n + Number(m[2]), 0),
  };
}

/** stress-ng's stream stressor: STREAM-style copy, scale, add and triad over arrays larger than the cache. */
export const stream: Workload<typeof params> = {
  name: 'stream',
  description: 'stress-ng stream: STREAM-style memory bandwidth (read and write rates)',
  params,
  tools: ['stress-ng'],
  metrics: [
    { name: 'memory.stream_read_mb_s', unit: 'MB/s', better: 'higher', description: "memory read rate of the stream kernels, in stress-ng's MB" },
    { name: 'memory.stream_write_mb_s', unit: 'MB/s', better: 'higher', description: "memory write rate of the stream kernels, in stress-ng's MB" },
  ],
  // stress-ng lets the operation in progress finish after the timeout: slow under emulation.
  expectedSeconds: (p) => 2 * p.timeSec + 5,
  command: (p) => ({
    steps: [
      {
        id: 'stream',
        argv: ['stress-ng', '--stream', String(p.instances), '--stream-l3-size', `${p.cacheMiB}M`, '--timeout', String(p.timeSec), '--metrics-brief'],
      },
    ],
  }),
  parse(outputs, p) {
    const r = parseStream(stepOutput(outputs, 'stream').output, p.instances);
    return [
      { metric: 'memory.stream_read_mb_s', value: r.readMBs },
      { metric: 'memory.stream_write_mb_s', value: r.writeMBs },
    ];
  },
};
