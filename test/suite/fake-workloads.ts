import { z } from 'zod';
import type { SuiteDeps } from '../../src/suite/types.ts';
import type { Workload } from '../../src/workloads/workload.ts';

/** Small stand-ins for real workloads: only the parameter schema matters to the suite layer. */
function fake<S extends z.ZodType>(name: string, params: S): Workload<S> {
  return {
    name,
    description: `fake ${name}`,
    params,
    metrics: [{ name: `${name}.score`, unit: 'ops/s', better: 'higher', description: 'score' }],
    expectedSeconds: () => 1,
    command: () => ({ steps: [{ id: 'run', argv: ['true'] }] }),
    parse: () => [],
  };
}

export const cpu = fake(
  'cpu',
  z.object({
    threads: z.number().int().min(1).default(1),
    timeSec: z.number().positive().default(5),
  }),
);

export const disk = fake(
  'disk',
  z
    .object({
      rw: z.enum(['read', 'write', 'randread']).default('read'),
      bs: z
        .string()
        .regex(/^\d+[kmKM]$/)
        .default('4k'),
      iodepth: z.int().min(1).max(256).default(1),
      direct: z.boolean().default(true),
    })
    .refine((p) => !(p.rw === 'write' && p.iodepth > 64), { message: 'writes support at most iodepth 64' }),
);

export const boot = fake('boot', z.object({}));

export const deps: SuiteDeps = {
  workloads: { cpu, disk, boot },
  backends: ['tcg', 'kvm', 'xen', 'native'],
};
