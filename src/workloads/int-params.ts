import { z } from 'zod';

/**
 * An integer parameter from `min` to `max`, `fallback` when the suite does not give it: the
 * form of every numeric workload parameter, so that each workload states only its bounds.
 */
export function intParam(min: number, max: number, fallback: number) {
  return z.number().int().min(min).max(max).default(fallback);
}

/** The parameter schemas a suite may write as `'vcpus'`, to take the case's vCPU count (workersParam). */
const vcpuFollowers = new WeakSet<z.ZodType>();

/**
 * Parallel workers of a tool (threads, instances): 1 to 256, one when not given. A suite may
 * write it `'vcpus'` to use every vCPU of the case's guest (suite/guest-shape.ts).
 */
export function workersParam() {
  const schema = intParam(1, 256, 1);
  vcpuFollowers.add(schema);
  return schema;
}

/** Whether a parameter schema may follow the guest's vCPU count (one made by workersParam). */
export function followsVcpus(schema: z.ZodType | undefined): boolean {
  return schema !== undefined && vcpuFollowers.has(schema);
}
