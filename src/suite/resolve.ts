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
  const parsed = suiteSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw suiteError(source, issuesToProblems(parsed.error.issues, { schema: suiteSchema, input }));
  const suite = toResolved(parsed.data);
  const problems = checkNames(suite, deps);
  if (problems.length > 0) throw suiteError(source, problems);
  return suite;
}

/** Backends, workloads and parameter names checked against what hvbench knows. */
export function checkNames(suite: ResolvedSuite, deps: SuiteDeps): Problem[] {
  const problems: Problem[] = [];
  suite.backends.forEach((backend, i) => {
    if (!deps.backends.includes(backend)) problems.push({ path: ['backends', i], message: unknownName('backend', backend, deps.backends) });
    else if (suite.backends.indexOf(backend) !== i) problems.push({ path: ['backends', i], message: `${JSON.stringify(backend)} is listed twice` });
  });
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
