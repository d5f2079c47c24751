import { z } from 'zod';
import { HvbError } from '../util/errors.ts';
import type { Workload } from './workload.ts';

const params = z
  .object({
    /** Groups of senders and receivers. */
    groups: z.number().int().min(1).max(100).default(2),
    /** Senders (and as many receivers) per group. */
    fds: z.number().int().min(1).max(100).default(5),
    /** Messages each sender passes to each receiver. */
    loops: z.number().int().min(1).max(1_000_000).default(200),
    /** Tasks as processes (hackbench's default) or threads. */
    mode: z.enum(['process', 'thread']).default('process'),
  })
  .strict();

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
    steps: [{ id: 'hackbench', argv: ['hackbench', '-g', String(p.groups), '-f', String(p.fds), '-l', String(p.loops), ...(p.mode === 'thread' ? ['-T'] : ['-P'])] }],
  }),
  parse(outputs) {
    const out = outputs.find((o) => o.id === 'hackbench');
    if (!out) throw new HvbError('parse', 'the guest returned no output for step "hackbench"');
    return [{ metric: 'micro.hackbench_s', value: parseHackbench(out.output) }];
  },
};
