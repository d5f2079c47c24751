import type { z } from 'zod';
import { defOf } from '../../../src/suite/describe.ts';
import { objectShape } from '../../../src/suite/zod-issues.ts';
import type { Workload } from '../../../src/workloads/workload.ts';
import { wrongTypes } from './odd-values.ts';

/** What a fuzzer needs to know of one workload parameter: values its schema takes and refuses. */
export interface ParamSpace {
  valid: unknown[];
  invalid: unknown[];
  /** For integer parameters: the range, so that long axes of distinct valid values can be made. */
  range?: { lo: number; hi: number };
}

/** Read from the workload's own zod schema, so the fuzzer follows the workloads as they change. */
export function paramSpaces(workload: Workload): Record<string, ParamSpace> {
  const shape = objectShape(workload.params) ?? {};
  return Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, space(schema)]));
}

function base(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let def = defOf(s); def.innerType; def = defOf(s)) s = def.innerType;
  return s;
}

function space(schema: z.ZodType): ParamSpace {
  const def = defOf(base(schema));
  switch (def.type) {
    case 'number':
      return numberSpace(def.checks?.map((c) => c._zod.def) ?? []);
    case 'enum': {
      const options = Object.values(def.entries ?? {}).map(String);
      return {
        valid: options,
        invalid: [...wrongTypes('string'), 'nope', options[0]!.toUpperCase(), ` ${options[0]}`, `${options[0]}\u0000`, `${options[0]!}x`.repeat(2000), ''],
      };
    }
    case 'boolean':
      return { valid: [true, false], invalid: [...wrongTypes('boolean'), 'true', 1, 0] };
    default:
      throw new Error(`the fuzzer does not know parameters of type ${def.type}; teach test/suite/fuzz/params.ts`);
  }
}

function numberSpace(checks: { check: string; value?: number; inclusive?: boolean; format?: string }[]): ParamSpace {
  const int = checks.some((c) => c.check === 'number_format' && /int/.test(c.format ?? ''));
  const loCheck = checks.find((c) => c.check === 'greater_than');
  const hiCheck = checks.find((c) => c.check === 'less_than');
  const step = int ? 1 : 0.5;
  const lo = loCheck ? loCheck.value! + (loCheck.inclusive ? 0 : step) : 0;
  const hi = hiCheck ? hiCheck.value! - (hiCheck.inclusive ? 0 : step) : lo + 1000;
  const valid = [...new Set([lo, Math.min(hi, lo + step), hi])];
  const invalid: unknown[] = [...wrongTypes('number'), NaN, Infinity, -Infinity, String(lo), BigInt(Math.trunc(lo)), [[lo]], { valueOf: () => lo }];
  if (loCheck) invalid.push(lo - step, -1e308, -Number.MAX_VALUE);
  if (loCheck && lo > 0) invalid.push(-0, 0);
  if (hiCheck) invalid.push(hi + step, 1e308, Number.MAX_VALUE, 2 ** 53 + 2);
  if (int) invalid.push(lo + 0.5, Number.MAX_SAFE_INTEGER + 2, Number.EPSILON, 5e-324);
  return { valid, invalid, ...(int ? { range: { lo, hi } } : {}) };
}
