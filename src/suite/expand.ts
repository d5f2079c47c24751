import { describeError } from '../util/errors.ts';
import { followsVcpus } from '../workloads/int-params.ts';
import type { Workload } from '../workloads/workload.ts';
import { caseId, stableJson } from './case-id.ts';
import { DEFAULT_MEMORY_MIB, DEFAULT_VCPUS, MAX_CASES } from './defaults.ts';
import { formatPath, suiteError, type Problem } from './problems.ts';
import { checkNames, unreadableAt } from './checks.ts';
import { FOLLOW_VCPUS, guestShapes, shapeCount, type GuestShape } from './guest-shape.ts';
import { variantsOf } from './variants.ts';
import type { Case, ResolvedGuest, ResolvedSuite, ResolvedWorkloadEntry, SuiteDeps } from './types.ts';
import { issuesToProblems, objectShape } from './zod-issues.ts';

/** One combination of an entry's axes: the guest's shape, the values the suite wrote and the full parameters. */
interface Combination {
  shape: GuestShape;
  given: Record<string, unknown>;
  params: Record<string, unknown>;
}

/**
 * The matrix of a suite: backends × workload entries × guest shapes × parameter
 * combinations, in that nesting order (the backend changes slowest). Within an entry the
 * axes vary like nested loops in the order they are written, the last one fastest. Each
 * combination is validated with the workload's own schema, which also fills in the
 * defaults; a parameter written `'vcpus'` takes the shape's vCPU count first.
 * `source` names the suite in error messages (loadSuite passes the file).
 */
export function expandSuite(suite: ResolvedSuite, deps: SuiteDeps, options: { source?: string } = {}): Case[] {
  const source = options.source ?? `suite ${suite.name}`;
  const nameProblems = checkNames(suite, deps);
  if (nameProblems.length > 0) throw suiteError(source, nameProblems);
  const tooLarge = matrixSizeProblem(suite);
  if (tooLarge) throw suiteError(source, [tooLarge]);

  const problems: Problem[] = [];
  const shapes = guestShapes(suite.guest);
  const perEntry = suite.workloads.map((entry, i) => shapes.flatMap((shape) => resolveEntry(entry, i, deps.workloads[entry.workload]!, problems, shape)));
  findDuplicates(suite, perEntry, problems);
  if (problems.length > 0) throw suiteError(source, problems);

  const cases: Case[] = [];
  for (const backend of suite.backends) {
    for (const variant of variantsOf(suite, backend))
      suite.workloads.forEach((entry, i) => {
        for (const combo of perEntry[i]!) {
          // A density entry runs each combination once per guest count, the count varying fastest.
          for (const guests of entry.guests ?? [undefined]) {
            cases.push({
              id: caseId(variant === undefined ? backend : `${backend}:${variant.value}`, entry.workload, combo.given, combo.shape.given, {
                ...(guests === undefined ? {} : { guests }),
                ...(entry.neighbour === undefined ? {} : { neighbour: entry.neighbour }),
              }),
              backend,
              ...(variant === undefined ? {} : { variant }),
              workload: entry.workload,
              params: combo.params,
              guest: { ...combo.shape.guest },
              ...(guests === undefined ? {} : { guests }),
              ...(entry.neighbour === undefined ? {} : { neighbour: entry.neighbour }),
              repetitions: suite.repetitions,
              warmup: suite.warmup,
              ...(suite.timeoutSec === undefined ? {} : { timeoutSec: suite.timeoutSec }),
            });
          }
        }
      });
  }
  return cases;
}

/**
 * The problems of every parameter value, for entries whose workload is known, leaving out
 * parameters the workload does not take (checkNames reports those): so a suite with both
 * unknown and bad parameters hears of all of them at once.
 */
export function parameterProblems(suite: ResolvedSuite, deps: SuiteDeps): Problem[] {
  const tooLarge = matrixSizeProblem(suite);
  if (tooLarge) return [tooLarge];
  const problems: Problem[] = [];
  suite.workloads.forEach((entry, i) => {
    const workload = Object.hasOwn(deps.workloads, entry.workload) ? deps.workloads[entry.workload] : undefined;
    if (!workload) return;
    const shape = objectShape(workload.params);
    const known = shape ? Object.fromEntries(Object.entries(entry.params).filter(([k]) => Object.hasOwn(shape, k))) : entry.params;
    for (const shape of guestShapes(suite.guest ?? DEFAULT_GUEST)) resolveEntry({ workload: entry.workload, params: known }, i, workload, problems, shape);
  });
  return problems;
}

/** The guest of a suite value read before its structure was checked (resolve.ts): the defaults. */
const DEFAULT_GUEST: ResolvedSuite['guest'] = { vcpus: DEFAULT_VCPUS, memoryMiB: DEFAULT_MEMORY_MIB };

/**
 * Every combination of the entry's axes for one shape of the guest, validated (the
 * workload's schema, then what the guest can honour); problems are collected, not thrown.
 */
function resolveEntry(entry: ResolvedWorkloadEntry, index: number, workload: Workload, problems: Problem[], shape: GuestShape): Combination[] {
  const prefix = ['workloads', index, 'params'];
  const combos: Combination[] = [];
  const { guest } = shape;
  let checked: { written: Record<string, unknown>; result: ReturnType<typeof workload.params.safeParse> }[];
  try {
    const followed = followingProblems(entry, workload, prefix);
    if (followed.length > 0) {
      problems.push(...followed);
      return combos;
    }
    checked = combinations(entry.params).map((written) => ({ written, result: workload.params.safeParse(follow(written, guest), { reportInput: true }) }));
  } catch (e) {
    // A getter or proxy among the values threw while it was read.
    problems.push({ path: [...prefix, ...(unreadableAt(entry.params) ?? [])], message: `could not be read: ${describeError(e)}` });
    return combos;
  }
  for (const { written, result } of checked) {
    if (!result.success) {
      const found = issuesToProblems(result.error.issues, { schema: workload.params, input: written, prefix, keyNoun: 'parameter' });
      // A check across parameters has no single field to blame: say which combination failed.
      problems.push(...found.map((p) => (p.path.length === prefix.length ? { ...p, message: `${p.message} (with ${describeCombo(written)})` } : p)));
      continue;
    }
    const params = result.data;
    if (params === null || typeof params !== 'object' || Array.isArray(params)) {
      problems.push({ path: prefix, message: `workload ${entry.workload} has a parameter schema that does not give an object` });
      continue;
    }
    const all = params as Record<string, unknown>;
    const unfit = workload.guestProblems?.(all, guest) ?? [];
    if (unfit.length > 0) {
      problems.push(
        ...unfit.map((u) => ({ path: [...prefix, u.param], message: `${u.message} (with ${describeCombo({ ...shapeGiven(shape), ...written })})` })),
      );
      continue;
    }
    // The id shows the written parameters with their validated values (e.g. after coercion, or the vCPU count followed).
    const given = Object.fromEntries(Object.keys(written).map((k) => [k, k in all ? all[k] : written[k]]));
    combos.push({ shape, given, params: all });
  }
  return combos;
}

/** The written values with each `'vcpus'` replaced by the guest's vCPU count (followingProblems checked where). */
function follow(written: Record<string, unknown>, guest: ResolvedGuest): Record<string, unknown> {
  return Object.fromEntries(Object.entries(written).map(([k, v]) => [k, v === FOLLOW_VCPUS ? guest.vcpus : v]));
}

/** A parameter written `'vcpus'` that is not a worker count (only those can follow the guest's vCPUs). */
function followingProblems(entry: ResolvedWorkloadEntry, workload: Workload, prefix: PropertyKey[]): Problem[] {
  const shape = objectShape(workload.params) ?? {};
  const followers = Object.keys(shape).filter((k) => followsVcpus(shape[k]));
  return Object.entries(entry.params).flatMap(([key, values]) =>
    values.flatMap((v, i) =>
      v === FOLLOW_VCPUS && !followsVcpus(shape[key])
        ? [
            {
              path: [...prefix, key, ...(values.length > 1 ? [i] : [])],
              message: `"${FOLLOW_VCPUS}" (the guest's vCPU count) is only taken by worker counts; workload ${entry.workload} has ${followers.length > 0 ? followers.join(', ') : 'none'}`,
            },
          ]
        : [],
    ),
  );
}

/** Cartesian product in written order, the last axis varying fastest. */
function combinations(axes: Record<string, unknown[]>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    out = out.flatMap((partial) => values.map((value) => ({ ...partial, [key]: value })));
  }
  return out;
}

/** Two cells with the same workload and full parameters would measure the same thing twice. */
function findDuplicates(suite: ResolvedSuite, perEntry: Combination[][], problems: Problem[]): void {
  const seen = new Map<string, { entry: number; combo: Combination }>();
  perEntry.forEach((combos, i) => {
    const workload = suite.workloads[i]!.workload;
    // Two entries of the same workload and parameters are distinct when their guest counts differ (one may be ordinary).
    const guests = stableJson([suite.workloads[i]!.guests ?? null, suite.workloads[i]!.neighbour ?? null]);
    for (const combo of combos) {
      const key = `${workload}\0${guests}\0${stableJson(combo.shape.guest)}\0${stableJson(combo.params)}`;
      const first = seen.get(key);
      if (!first) {
        seen.set(key, { entry: i, combo });
        continue;
      }
      const where = first.entry === i ? 'an earlier combination of the same entry' : formatPath(['workloads', first.entry]);
      problems.push({
        path: ['workloads', i],
        message: `${workload} with ${describeCombo({ ...shapeGiven(combo.shape), ...combo.given }) || 'its defaults'} repeats ${where} (same parameters once defaults are filled in); remove one`,
      });
    }
  });
}

/** Workload entries itemised in the message about a matrix that is too large. */
const MAX_LISTED = 10;

function matrixSizeProblem(suite: ResolvedSuite): Problem | undefined {
  const sizes = suite.workloads.map((entry) => Object.values(entry.params).reduce((n, axis) => n * axis.length, entry.guests?.length ?? 1));
  const variants = suite.backends.reduce((n, b) => n + variantsOf(suite, b).length, 0);
  const shapes = suite.guest === undefined ? 1 : shapeCount(suite.guest);
  // At least one variant: a suite whose backends are all unknown still has its entries' values checked.
  const total = Math.max(1, variants) * shapes * sizes.reduce((a, b) => a + b, 0);
  if (total <= MAX_CASES) return undefined;
  const entries = suite.workloads.slice(0, MAX_LISTED).map((entry, i) => {
    const axes = [...(entry.guests ? [`guests ${entry.guests.length}`] : []), ...Object.entries(entry.params).map(([k, axis]) => `${k} ${axis.length}`)];
    return `${formatPath(['workloads', i])} ${entry.workload}: ${axes.length ? `${axes.join(' × ')} = ` : ''}${sizes[i]}`;
  });
  return {
    path: ['workloads'],
    message:
      `the matrix has ${total} cases, more than the limit of ${MAX_CASES}: ` +
      `backends ${suite.backends.length} × ${shapes > 1 ? `guest shapes ${shapes} × ` : ''}(${entries.join('; ')}${suite.workloads.length > MAX_LISTED ? `; … ${suite.workloads.length - MAX_LISTED} more entries` : ''}); ` +
      'use fewer values per axis or split the suite',
  };
}

/** The guest's axes of a combination as the case id names them (`guest.vcpus`). */
function shapeGiven(shape: GuestShape): Record<string, number> {
  return Object.fromEntries(Object.entries(shape.given).map(([k, v]) => [`guest.${k}`, v]));
}

function describeCombo(values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${stableJson(v)}`)
    .join(', ');
}
