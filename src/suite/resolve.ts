import { describeError } from '../util/errors.ts';
import { BOOT_METRICS } from '../workloads/boot.ts';
import { HOST_METRICS } from '../workloads/host-metrics.ts';
import { parameterProblems } from './expand.ts';
import { suiteError, type Problem } from './problems.ts';
import { suiteSchema, toResolved } from './schema.ts';
import { unknownName } from './suggest.ts';
import type { ResolvedSuite, SuiteDeps } from './types.ts';
import { issuesToProblems, objectShape } from './zod-issues.ts';

/**
 * Validates a suite value (what a suite file exports) and fills in every default.
 * Checks the structure, the backend and workload names and the parameter names;
 * parameter values are checked when the matrix is expanded (expandSuite).
 * `source` names the suite in messages, usually its file.
 */
export function resolveSuite(input: unknown, deps: SuiteDeps, source = 'suite'): ResolvedSuite {
  let parsed: ReturnType<typeof suiteSchema.safeParse>;
  let dropped: Problem[];
  try {
    parsed = suiteSchema.safeParse(input, { reportInput: true });
    dropped = protoKeys(input);
  } catch (e) {
    // A getter or proxy in the suite value threw while it was read.
    throw suiteError(source, [{ path: unreadableAt(input) ?? [], message: `could not be read: ${describeError(e)}` }]);
  }
  if (!parsed.success) {
    const structural = issuesToProblems(parsed.error.issues, { schema: suiteSchema, input });
    throw suiteError(source, [...structural, ...dropped, ...nameProblemsOf(input, deps, structural)]);
  }
  const suite = toResolved(parsed.data);
  // Every problem at once: names, the stopping rule's metric, and the parameter values.
  const problems = [...dropped, ...checkNames(suite, deps), ...checkStopMetric(suite, deps), ...parameterProblems(suite, deps)];
  if (problems.length > 0) throw suiteError(source, problems);
  return suite;
}

/**
 * When the structure is wrong somewhere, the names and values elsewhere are still checked,
 * so that every problem is reported at once: the parts of the input that are well formed
 * are read as far as they go, and problems at paths the structural check already named are
 * left out.
 */
function nameProblemsOf(input: unknown, deps: SuiteDeps, structural: readonly Problem[]): Problem[] {
  if (input === null || typeof input !== 'object') return [];
  try {
    const raw = input as Record<string, unknown>;
    const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    const workloads = Array.isArray(raw.workloads)
      ? raw.workloads.map((e: unknown) => {
          const entry = (e !== null && typeof e === 'object' ? e : {}) as Record<string, unknown>;
          const params = entry.params !== null && typeof entry.params === 'object' && !Array.isArray(entry.params) ? (entry.params as Record<string, unknown>) : {};
          return { workload: typeof entry.workload === 'string' ? entry.workload : '', params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])) };
        })
      : [];
    const suite = {
      backends: strings(raw.backends ?? ['tcg']),
      xenTypes: strings(raw.xenTypes ?? ['pvh']) as ResolvedSuite['xenTypes'],
      ...(typeof raw.stopMetric === 'string' ? { stopMetric: raw.stopMetric } : {}),
      workloads: workloads.filter((w) => w.workload !== ''),
    } as unknown as ResolvedSuite;
    const named = structural.map((p) => JSON.stringify(p.path));
    const covered = (p: Problem) => named.some((n) => JSON.stringify(p.path.slice(0, JSON.parse(n).length)) === n);
    return [...checkNames(suite, deps), ...checkStopMetric(suite, deps), ...parameterProblems(suite, deps)].filter((p) => !covered(p));
  } catch {
    return []; // an input that cannot be read this way: the structural problems stand alone
  }
}

/** Metrics every case yields, whatever its workload. */
const COMMON_METRICS = [...BOOT_METRICS, ...HOST_METRICS].map((m) => m.name);

/**
 * `stopMetric` must be a metric that every workload of the suite measures (its own or the
 * boot and host metrics every case yields): a stopping rule on a metric a case never
 * produces would repeat that case up to maxRepetitions for nothing.
 */
export function checkStopMetric(suite: ResolvedSuite, deps: SuiteDeps): Problem[] {
  const metric = suite.stopMetric;
  if (metric === undefined) return [];
  const lacking: string[] = [];
  const all = new Set(COMMON_METRICS);
  for (const entry of suite.workloads) {
    const workload = Object.hasOwn(deps.workloads, entry.workload) ? deps.workloads[entry.workload] : undefined;
    if (!workload) continue; // reported by checkNames
    const own = workload.metrics.map((m) => m.name);
    for (const m of own) all.add(m);
    if (!own.includes(metric) && !COMMON_METRICS.includes(metric) && !lacking.includes(entry.workload)) lacking.push(entry.workload);
  }
  if (lacking.length === 0) return [];
  const known = [...all];
  if (!known.includes(metric)) return [{ path: ['stopMetric'], message: unknownName('metric', metric, known, 'metrics of this suite\'s workloads') }];
  return [{ path: ['stopMetric'], message: `${JSON.stringify(metric)} is not measured by workload${lacking.length > 1 ? 's' : ''} ${lacking.join(', ')} of this suite; expected a metric every workload measures, e.g. ${COMMON_METRICS.join(', ')}` }];
}

/** The path of the first field whose getter (or proxy trap) throws when read; undefined when none does. */
export function unreadableAt(value: unknown, path: PropertyKey[] = [], seen = new Set<object>()): PropertyKey[] | undefined {
  if (value === null || typeof value !== 'object' || seen.has(value) || path.length > 16) return undefined;
  seen.add(value);
  let keys: string[];
  try {
    keys = Object.keys(value);
  } catch {
    return path;
  }
  for (const key of keys) {
    const at = [...path, Array.isArray(value) && /^\d+$/.test(key) ? Number(key) : key];
    let child: unknown;
    try {
      child = (value as Record<string, unknown>)[key];
    } catch {
      return at;
    }
    const found = unreadableAt(child, at, seen);
    if (found) return found;
  }
  return undefined;
}

/**
 * Own `__proto__` keys (e.g. from JSON.parse or a computed key) where the suite has records:
 * zod's records skip such a key without a word, so it would be silently ignored.
 */
function protoKeys(input: unknown): Problem[] {
  const problems: Problem[] = [];
  const record = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object';
  const check = (value: unknown, path: PropertyKey[], message: string) => {
    if (record(value) && Object.hasOwn(value, '__proto__')) problems.push({ path: [...path, '__proto__'], message });
  };
  if (!record(input)) return problems;
  if (Array.isArray(input.workloads)) {
    input.workloads.forEach((entry: unknown, i) => {
      if (record(entry)) check(entry.params, ['workloads', i, 'params'], 'unknown parameter "__proto__" (not a parameter name of any workload)');
    });
  }
  if (record(input.compare)) check(input.compare.metrics, ['compare', 'metrics'], '"__proto__" cannot name a metric');
  return problems;
}

/** Backends, workloads and parameter names checked against what hvbench knows. */
export function checkNames(suite: ResolvedSuite, deps: SuiteDeps): Problem[] {
  const problems: Problem[] = [];
  suite.backends.forEach((backend, i) => {
    if (!deps.backends.includes(backend)) problems.push({ path: ['backends', i], message: unknownName('backend', backend, deps.backends) });
    else if (suite.backends.indexOf(backend) !== i) problems.push({ path: ['backends', i], message: `${JSON.stringify(backend)} is listed twice` });
  });
  // A type or host given twice would make every case twice (xenTypes) or mean nothing (hosts).
  for (const field of ['xenTypes', 'hosts'] as const) {
    suite[field]?.forEach((name: string, i, all: readonly string[]) => {
      if (all.indexOf(name) !== i) problems.push({ path: [field, i], message: `${JSON.stringify(name)} is listed twice` });
    });
  }
  const known = Object.keys(deps.workloads);
  suite.workloads.forEach((entry, i) => {
    const workload = Object.hasOwn(deps.workloads, entry.workload) ? deps.workloads[entry.workload] : undefined;
    if (!workload) {
      problems.push({ path: ['workloads', i, 'workload'], message: unknownName('workload', entry.workload, known) });
      return;
    }
    const shape = objectShape(workload.params);
    if (!shape) return;
    for (const key of Object.keys(entry.params)) {
      if (!Object.hasOwn(shape, key)) {
        problems.push({
          path: ['workloads', i, 'params', key],
          message: unknownName('parameter', key, Object.keys(shape), `workload ${entry.workload} takes`),
        });
      }
    }
  });
  return problems;
}
