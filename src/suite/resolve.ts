import { describeError } from '../util/errors.ts';
import { BOOT_METRICS } from '../workloads/boot.ts';
import { HOST_METRICS } from '../workloads/host-metrics.ts';
import { checkNames, unreadableAt } from './checks.ts';
import { parameterProblems } from './expand.ts';
import { suiteError, type Problem } from './problems.ts';
import { suiteSchema, toResolved } from './schema.ts';
import { unknownName } from './suggest.ts';
import type { ResolvedSuite, SuiteDeps } from './types.ts';
import { variantAxes } from './variants.ts';
import { issuesToProblems } from './zod-issues.ts';

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
          const params =
            entry.params !== null && typeof entry.params === 'object' && !Array.isArray(entry.params) ? (entry.params as Record<string, unknown>) : {};
          return {
            workload: typeof entry.workload === 'string' ? entry.workload : '',
            params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
          };
        })
      : [];
    const suite = {
      backends: strings(raw.backends ?? ['tcg']),
      ...Object.fromEntries(variantAxes.map((a) => [a.suiteField, strings(raw[a.suiteField] ?? a.defaults)])),
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
  if (!known.includes(metric)) return [{ path: ['stopMetric'], message: unknownName('metric', metric, known, "metrics of this suite's workloads") }];
  return [
    {
      path: ['stopMetric'],
      message: `${JSON.stringify(metric)} is not measured by workload${lacking.length > 1 ? 's' : ''} ${lacking.join(', ')} of this suite; expected a metric every workload measures, e.g. ${COMMON_METRICS.join(', ')}`,
    },
  ];
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
