import type { Case } from './types.ts';

/**
 * What `hvbench list <suite>` prints: one case id per line, then a total line such as
 * `4 cases × 3 repetitions = 12 runs (+ 4 warm-up runs)`.
 */
export function formatCaseList(cases: readonly Case[]): string {
  const lines = cases.map((c) => c.id);
  const runs = cases.reduce((n, c) => n + c.repetitions, 0);
  const warmups = cases.reduce((n, c) => n + c.warmup, 0);
  const reps = new Set(cases.map((c) => c.repetitions));
  const count = `${cases.length} ${cases.length === 1 ? 'case' : 'cases'}`;
  let total =
    reps.size === 1
      ? `${count} × ${[...reps][0]} ${[...reps][0] === 1 ? 'repetition' : 'repetitions'} = ${runs} ${runs === 1 ? 'run' : 'runs'}`
      : `${count}, ${runs} runs`;
  if (warmups > 0) total += ` (+ ${warmups} warm-up ${warmups === 1 ? 'run' : 'runs'})`;
  return [...lines, total].join('\n');
}
