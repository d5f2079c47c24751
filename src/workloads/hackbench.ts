import { z } from 'zod';
import { HvbError } from '../util/errors.ts';
import { intParam } from './int-params.ts';
import { stepOutput } from './tool-output.ts';
import type { Workload } from './workload.ts';

const params = z.strictObject({
  /** Groups of senders and receivers. */
  groups: intParam(1, 100, 2),
  /** Senders (and as many receivers) per group. */
  fds: intParam(1, 100, 5),
  /** Messages each sender passes to each receiver. */
  loops: intParam(1, 1_000_000, 200),
  /** Tasks as processes (hackbench's default) or threads. */
  mode: z.enum(['process', 'thread']).default('process'),
});

/** `Time: 0.554`, hackbench's last line. */
const TIME = /^Time: ([0-9.]+)\s*$/m;

export function parseHackbench(output: string): number {
  const m = TIME.exec(output);
  if (!m?.[1]) {
    const said = output.split('\n').find((l) => l.includes('hackbench:'));
    throw new HvbError('parse', `hackbench output has no "Time:" line${said ? ` (it said: ${said.trim()})` : ''}`);
  }
  return Number(m[1]);
}

/** rt-tests' hackbench: groups of tasks passing messages over sockets, a scheduler and wake-up test. */
export const hackbench: Workload<typeof params> = {
  name: 'hackbench',
  description: 'hackbench: seconds for groups of tasks to pass messages (scheduler, wake-ups)',
  params,
  tools: ['hackbench'],
  metrics: [{ name: 'micro.hackbench_s', unit: 's', better: 'lower', description: 'time for every sender to pass all its messages' }],
  // Unbounded by design; a few seconds under emulation at the defaults.
  expectedSeconds: (p) => Math.ceil((p.groups * p.fds * p.fds * p.loops) / 2000) + 5,
  command: (p) => ({
    steps: [
      { id: 'hackbench', argv: ['hackbench', '-g', String(p.groups), '-f', String(p.fds), '-l', String(p.loops), ...(p.mode === 'thread' ? ['-T'] : ['-P'])] },
    ],
  }),
  parse(outputs) {
    return [{ metric: 'micro.hackbench_s', value: parseHackbench(stepOutput(outputs, 'hackbench').output) }];
  },
};
