import { z } from 'zod';
import { HvbError } from '../util/errors.ts';
import { intParam } from './int-params.ts';
import { stepOutput } from './tool-output.ts';
import type { MetricDef, Workload } from './workload.ts';

/** The operations of hvb-micro (src/guest/micro/hvb-micro.c), in the order it runs them. */
export const MICRO_OPS = ['cpuid', 'syscall', 'pagefault', 'ioport', 'rdtsc'] as const;
type MicroOp = (typeof MICRO_OPS)[number];

const params = z.strictObject({
  /** Milliseconds each operation is timed for, after a short warm-up. */
  msPerOp: intParam(10, 60_000, 500),
  /**
   * How the port is timed: `in`, an IN from user mode (falling back to /dev/port where that
   * faults), or `devport`, always a read of /dev/port (the system call's way, to compare).
   */
  ioport: z.enum(['in', 'devport']).default('in'),
});

const DESCRIPTIONS: Record<MicroOp, string> = {
  cpuid: 'one CPUID instruction (a VM exit under hardware virtualization)',
  syscall: 'one null system call (getppid)',
  pagefault: 'one page fault on fresh anonymous memory, including zeroing the page',
  ioport: 'one IN from an unclaimed I/O port (an exit to the device model)',
  rdtsc: 'one RDTSC instruction',
};

/**
 * Where user-mode IN faults although the port was granted (a nested hypervisor's emulated
 * CPU), hvb-micro says `ioport unavailable: …` and times a 1-byte read of /dev/port at the
 * same port instead: a system call whose kernel side does the IN (`micro.devport_ns`).
 */
const DEVPORT_METRIC: MetricDef = {
  name: 'micro.devport_ns',
  unit: 'ns',
  better: 'lower',
  description: 'one 1-byte read of /dev/port (a system call doing an IN in the kernel), where an IN from user mode faults',
};

const LINE = /^([a-z]+) ns_per_op=([0-9.]+) iterations=(\d+) elapsed_ns=(\d+)$/;
/** An operation the host kernel does not offer (native on a kernel without I/O port permissions). */
const UNAVAILABLE = /^([a-z]+) unavailable: (.*)$/;

/**
 * Reads hvb-micro's lines (`cpuid ns_per_op=35.120 iterations=… elapsed_ns=…`); every
 * operation must be there once, with a figure or as `<op> unavailable: <why>`. The figures
 * of the operations that are there; the unavailable ones are left out, with their reason.
 */
export function parseMicro(output: string): {
  ns: Partial<Record<MicroOp, number>>;
  unavailable: Partial<Record<MicroOp, string>>;
  /** The /dev/port figure, when hvb-micro timed the port that way. */
  devportNs?: number;
} {
  const found = new Map<string, number>();
  const unavailable = new Map<string, string>();
  for (const line of output.split('\n')) {
    const m = LINE.exec(line.trim());
    if (m) found.set(m[1] as string, Number(m[2]));
    const u = UNAVAILABLE.exec(line.trim());
    if (u) unavailable.set(u[1] as string, u[2] as string);
  }
  const missing = MICRO_OPS.filter((op) => !found.has(op) && !unavailable.has(op));
  if (missing.length > 0) {
    const said = output.split('\n').find((l) => l.startsWith('hvb-micro:'));
    throw new HvbError('parse', `hvb-micro output has no figure for ${missing.join(', ')}${said ? ` (it said: ${said.slice(11)})` : ''}`);
  }
  const pick = <T>(map: Map<string, T>) => Object.fromEntries(MICRO_OPS.filter((op) => map.has(op)).map((op) => [op, map.get(op) as T]));
  const devport = found.get('devport');
  return { ns: pick(found), unavailable: pick(unavailable), ...(devport === undefined ? {} : { devportNs: devport }) };
}

/** hvb-micro: nanoseconds per operation for the operations virtualization makes expensive. */
export const micro: Workload<typeof params> = {
  name: 'micro',
  description: 'hvb-micro: ns per CPUID, null syscall, page fault, I/O port access and RDTSC',
  params,
  tools: ['hvb-micro'],
  metrics: [...MICRO_OPS.map((op): MetricDef => ({ name: `micro.${op}_ns`, unit: 'ns', better: 'lower', description: DESCRIPTIONS[op] })), DEVPORT_METRIC],
  expectedSeconds: (p) => Math.ceil((MICRO_OPS.length * p.msPerOp * 1.2) / 1000) + 2,
  command: (p) => ({
    steps: [{ id: 'micro', argv: ['hvb-micro', '--ms', String(p.msPerOp), ...(p.ioport === 'devport' ? ['--devport'] : []), ...MICRO_OPS] }],
  }),
  parse(outputs) {
    const { ns, devportNs } = parseMicro(stepOutput(outputs, 'micro').output);
    const values = MICRO_OPS.filter((op) => ns[op] !== undefined).map((op) => ({ metric: `micro.${op}_ns`, value: ns[op]! }));
    return devportNs === undefined ? values : [...values, { metric: DEVPORT_METRIC.name, value: devportNs }];
  },
};
