import { z } from 'zod';
import {
  DEFAULT_BACKENDS,
  DEFAULT_DESCRIPTION,
  DEFAULT_MEMORY_MIB,
  DEFAULT_REPETITIONS,
  DEFAULT_VCPUS,
  DEFAULT_WARMUP,
  MAX_GUESTS,
  MAX_MEMORY_MIB,
  MAX_REPETITIONS,
  MAX_TIME_BUDGET_SEC,
  MAX_TIMEOUT_SEC,
  MAX_VCPUS,
  MAX_WARMUP,
  MIN_MEMORY_MIB,
} from './defaults.ts';
import { variantAxes } from '../backends/registry.ts';
import { EVENT_SOURCE_CHOICES, type VariantAxis } from '../backends/common/backend.ts';
import { compareConfigSchema } from '../stats/thresholds.ts';
import { expectations } from './describe.ts';
import { largestVcpus } from './guest-shape.ts';
import type { ResolvedSuite, SuiteInput } from './types.ts';

/**
 * The structure of a suite file. Objects are strict: an unknown key is an error, so a
 * typo (`repetition: 5`) never passes silently. Workload parameters are only checked
 * for shape here (values or non-empty arrays); their values are checked by each
 * workload's own schema once the axes are expanded (see expand.ts).
 */

const suiteName = z
  .string()
  .regex(/^[a-z0-9-]+$/)
  .max(64);
expectations.add(suiteName, { expected: 'a name of lowercase letters, digits and dashes ([a-z0-9-]+, at most 64)' });

const backendName = z.string().min(1);
expectations.add(backendName, { expected: 'a backend name such as "tcg"' });
const backendList = z.array(backendName).min(1);
expectations.add(backendList, { expected: 'a non-empty array of backend names, e.g. ["tcg", "kvm"]' });

const paramAxis = z
  .unknown()
  .refine((v) => !Array.isArray(v) || v.length > 0, {
    message: 'expected a value or a non-empty array of values, received [] (an axis needs at least one value)',
  })
  .superRefine((v, ctx) => {
    // A hole (`[1, , 2]`, `new Array(3)`) would be skipped when the axes are crossed: a value lost, or no case at all.
    if (!Array.isArray(v)) return;
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) {
        ctx.addIssue({ code: 'custom', path: [i], message: 'an empty slot in the axis (e.g. `[1, , 2]`); write a value there or remove it' });
        return;
      }
    }
  });

/**
 * A field of the guest's shape: one value, or an axis of distinct values (a value twice
 * would run every case of it twice). A wrong value is described by what it was meant to be
 * (zod-issues.ts optionFor): `expected an integer from 1 to 255, received 0`.
 */
function shapeField(one: z.ZodNumber, fallback: number) {
  const axis = z
    .array(one)
    .min(1)
    .superRefine((values, ctx) => {
      const twice = values.find((v, i) => values.indexOf(v) !== i);
      if (twice !== undefined) ctx.addIssue({ code: 'custom', message: `expected each value at most once (${twice} is listed twice)` });
    });
  return z.union([one, axis]).default(fallback);
}

const guestSchema = z.strictObject({
  vcpus: shapeField(z.int().min(1).max(MAX_VCPUS), DEFAULT_VCPUS),
  memoryMiB: shapeField(z.int().min(MIN_MEMORY_MIB).max(MAX_MEMORY_MIB), DEFAULT_MEMORY_MIB),
});

/** `guests`: how many identical guests a density case boots at once (runner/density.ts), or an axis of counts. */
const guestsField = z
  .union([
    z.int().min(1).max(MAX_GUESTS),
    z
      .array(z.int().min(1).max(MAX_GUESTS))
      .min(1)
      .superRefine((values, ctx) => {
        const twice = values.find((v, i) => values.indexOf(v) !== i);
        if (twice !== undefined) ctx.addIssue({ code: 'custom', message: `expected each value at most once (${twice} is listed twice)` });
      }),
  ])
  .optional();

const workloadEntrySchema = z
  .strictObject({
    workload: z.string().min(1),
    params: z.record(z.string(), paramAxis).default({}),
    guests: guestsField,
    neighbour: z.literal('stress').optional(),
  })
  .superRefine((entry, ctx) => {
    if (entry.neighbour === undefined) return;
    const counts = entry.guests === undefined ? [] : typeof entry.guests === 'number' ? [entry.guests] : entry.guests;
    if (counts.length === 0 || counts.some((n) => n < 2)) {
      ctx.addIssue({
        code: 'custom',
        path: ['neighbour'],
        message: `expected guests of 2 or more with a neighbour (guest 0 is the neighbour, the others are measured); guests is ${counts.length === 0 ? 'not set' : JSON.stringify(entry.guests)}`,
      });
    }
  });

/**
 * The suite field of a backend's variant axis (`xenTypes`, `machines`): a non-empty list of
 * its values. An axis with an implicit value stays absent unless given, so the suites and
 * runs written before the axis existed resolve as they did.
 */
function variantField(axis: VariantAxis) {
  const list = z.array(z.enum(axis.values as [string, ...string[]])).min(1);
  expectations.add(list, { expected: `a non-empty array of ${axis.label}s: ${axis.values.map((v) => JSON.stringify(v)).join(', ')}` });
  return axis.implicit === undefined ? list.default(() => [...axis.defaults]) : list.optional();
}
const variantFields = Object.fromEntries(variantAxes.map((axis) => [axis.suiteField, variantField(axis)]));

const hostNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
expectations.add(hostNameSchema, { expected: 'a host name (letters, digits, ".", "_", "-")' });
const hostList = z.array(hostNameSchema).min(1);
expectations.add(hostList, { expected: 'a non-empty array of host names, e.g. ["local", "lab-kvm"]' });

const cpuId = z.int().min(0).max(4095);
const cpuIds = z
  .array(cpuId)
  .min(1)
  .refine((ids) => new Set(ids).size === ids.length, { message: 'expected each CPU at most once' });
expectations.add(cpuIds, { expected: 'a non-empty array of distinct CPU numbers, e.g. [1, 2]' });
const pinningSchema = z.union([z.literal('none'), z.literal('auto'), z.strictObject({ vcpus: cpuIds, vmm: cpuIds.optional() })]);
expectations.add(pinningSchema, { expected: `'none', 'auto' or { vcpus: [CPU per vCPU], vmm?: [CPUs] }` });

const workloadList = z.array(workloadEntrySchema).min(1);
expectations.add(workloadList, { expected: 'a non-empty array of workload entries ({ workload, params })' });

export const suiteSchema = z
  .strictObject({
    name: suiteName,
    description: z.string().default(DEFAULT_DESCRIPTION),
    guest: guestSchema.default({ vcpus: DEFAULT_VCPUS, memoryMiB: DEFAULT_MEMORY_MIB }),
    overcommit: z.boolean().optional(),
    countEvents: z.union([z.boolean(), z.enum(EVENT_SOURCE_CHOICES)]).optional(),
    backends: backendList.default(() => [...DEFAULT_BACKENDS]),
    repetitions: z.int().min(1).max(MAX_REPETITIONS).default(DEFAULT_REPETITIONS),
    warmup: z.int().min(0).max(MAX_WARMUP).default(DEFAULT_WARMUP),
    timeoutSec: z
      .number()
      .positive()
      .refine((v) => v <= MAX_TIMEOUT_SEC, { message: `expected at most ${MAX_TIMEOUT_SEC} s, the longest timer Node.js can set (about 24 days)` })
      .optional(),
    maxRepetitions: z.int().min(1).max(MAX_REPETITIONS).optional(),
    targetCiHalfWidth: z.number().gt(0).lt(1).optional(),
    timeBudgetSec: z.number().positive().max(MAX_TIME_BUDGET_SEC).optional(),
    stopMetric: z.string().min(1).optional(),
    interleave: z.boolean().default(true),
    pinning: pinningSchema.optional(),
    compare: compareConfigSchema.optional(),
    ...variantFields,
    hosts: hostList.optional(),
    workloads: workloadList,
  })
  .refine((s) => s.maxRepetitions === undefined || s.maxRepetitions >= s.repetitions, {
    message: 'expected maxRepetitions ≥ repetitions',
    path: ['maxRepetitions'],
  })
  .superRefine((s, ctx) => {
    const p = s.pinning;
    if (p === undefined || typeof p === 'string') return;
    if (typeof s.guest.vcpus === 'number' && p.vcpus.length !== s.guest.vcpus) {
      ctx.addIssue({
        code: 'custom',
        path: ['pinning', 'vcpus'],
        message: `expected one CPU per vCPU: the guest has ${s.guest.vcpus}, pinning.vcpus names ${p.vcpus.length}`,
      });
    }
    // With a vCPU axis a case of n vCPUs takes the first n CPUs named (pinning-plan.ts).
    const largest = largestVcpus(s.guest);
    if (typeof s.guest.vcpus !== 'number' && p.vcpus.length < largest) {
      ctx.addIssue({
        code: 'custom',
        path: ['pinning', 'vcpus'],
        message: `expected a CPU for each vCPU of the largest guest: guest.vcpus goes up to ${largest}, pinning.vcpus names ${p.vcpus.length}`,
      });
    }
    const shared = (p.vmm ?? []).filter((cpu) => p.vcpus.includes(cpu));
    if (shared.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['pinning', 'vmm'], message: `expected the VMM's CPUs apart from the vCPUs' (both name ${shared.join(', ')})` });
    }
  });
expectations.add(suiteSchema, { expected: 'a suite object (export default defineSuite({ … }))' });

/** The parsed shape, before parameter values are normalised to axes. */
export type ParsedSuite = z.output<typeof suiteSchema>;

/** Every parameter as an axis: a plain value becomes a one-value axis. */
export function toResolved(parsed: ParsedSuite): ResolvedSuite {
  const { timeoutSec, maxRepetitions, targetCiHalfWidth, timeBudgetSec, stopMetric, pinning, compare, hosts, overcommit, countEvents, ...rest } = parsed;
  const optional = { overcommit, countEvents, timeoutSec, maxRepetitions, targetCiHalfWidth, timeBudgetSec, stopMetric, pinning, compare, hosts };
  return {
    ...(Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as typeof rest),
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
    workloads: parsed.workloads.map((entry) => ({
      workload: entry.workload,
      params: Object.fromEntries(Object.entries(entry.params).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
      ...(entry.guests === undefined ? {} : { guests: typeof entry.guests === 'number' ? [entry.guests] : entry.guests }),
      ...(entry.neighbour === undefined ? {} : { neighbour: entry.neighbour }),
    })),
  };
}

// Compile-time check that the hand-written SuiteInput (with its documentation) accepts
// exactly what the schema accepts.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const inputMatches: Same<SuiteInput, z.input<typeof suiteSchema>> = true;
void inputMatches;
