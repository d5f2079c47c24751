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
});

const DESCRIPTIONS: Record<MicroOp, string> = {
  cpuid: 'one CPUID instruction (a VM exit under hardware virtualization)',
  syscall: 'one null system call (getppid)',
  pagefault: 'one page fault on fresh anonymous memory, including zeroing the page',
  ioport: 'one IN from an unclaimed I/O port (an exit to the device model)',
  rdtsc: 'one RDTSC instruction',
};

const LINE = /^([a-z]+) ns_per_op=([0-9.]+) iterations=(\d+) elapsed_ns=(\d+)$/;
/** An operation the host kernel does not offer (native on a kernel without I/O port permissions). */
const UNAVAILABLE = /^([a-z]+) unavailable: (.*)$/;

/**
 * Reads hvb-micro's lines (`cpuid ns_per_op=35.120 iterations=… elapsed_ns=…`); every
 * operation must be there once, with a figure or as `<op> unavailable: <why>`. The figures
 * of the operations that are there; the unavailable ones are left out, with their reason.
 */
export function parseMicro(output: string): { ns: Partial<Record<MicroOp, number>>; unavailable: Partial<Record<MicroOp, string>> } {
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
  return { ns: pick(found), unavailable: pick(unavailable) };
}

/** hvb-micro: nanoseconds per operation for the operations virtualization makes expensive. */
export const micro: Workload<typeof params> = {
  name: 'micro',
  description: 'hvb-micro: ns per CPUID, null syscall, page fault, I/O port access and RDTSC',
  params,
  tools: ['hvb-micro'],
  metrics: MICRO_OPS.map((op): MetricDef => ({ name: `micro.${op}_ns`, unit: 'ns', better: 'lower', description: DESCRIPTIONS[op] })),
  expectedSeconds: (p) => Math.ceil((MICRO_OPS.length * p.msPerOp * 1.2) / 1000) + 2,
  command: (p) => ({ steps: [{ id: 'micro', argv: ['hvb-micro', '--ms', String(p.msPerOp), ...MICRO_OPS] }] }),
  parse(outputs) {
    const { ns } = parseMicro(stepOutput(outputs, 'micro').output);
    return MICRO_OPS.filter((op) => ns[op] !== undefined).map((op) => ({ metric: `micro.${op}_ns`, value: ns[op]! }));
  },
};
