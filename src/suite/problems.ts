import { HvbError } from '../util/errors.ts';

/** One thing wrong with a suite, at a field path such as `workloads[0].params.threads`. */
export interface Problem {
  path: readonly PropertyKey[];
  message: string;
}

/** `workloads[0].params.threads`; an empty path is the suite itself. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** One line per problem, `source: path: message`, duplicates dropped, order kept. */
export function formatProblems(source: string, problems: readonly Problem[]): string {
  const lines = problems.map((p) => {
    const path = formatPath(p.path);
    return path ? `${source}: ${path}: ${p.message}` : `${source}: ${p.message}`;
  });
  return [...new Set(lines)].join('\n');
}

/** One HvbError('suite-invalid') listing every problem, for the caller to throw. */
export function suiteError(source: string, problems: readonly Problem[]): HvbError {
  return new HvbError('suite-invalid', formatProblems(source, problems), {
    hint: 'Fix the fields named above; the suite format is described in README.md under "Suite files".',
  });
}
