import { z } from 'zod';

/**
 * An integer parameter from `min` to `max`, `fallback` when the suite does not give it: the
 * form of every numeric workload parameter, so that each workload states only its bounds.
 */
export function intParam(min: number, max: number, fallback: number) {
  return z.number().int().min(min).max(max).default(fallback);
}

/** Parallel workers of a tool (threads, instances): 1 to 256, one when not given. */
export function workersParam() {
  return intParam(1, 256, 1);
}
