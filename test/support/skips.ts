/**
 * What `npm test` does with skipped tests: every skip is listed with its reason at the
 * end of the run, and under CI (the `CI` variable set) a skip fails the run — a test that
 * cannot run for a missing tool must not pass unseen. The one quiet skip is the opt-in slow
 * test (`*.slow.int.test.ts`, run with HVBENCH_SLOW_TESTS=1).
 */
export interface SkippedTest {
  /** The test file, relative to the repository. */
  file: string;
  /** Describe blocks and test name, joined with " > ". */
  name: string;
  /** The note given to `ctx.skip(note)`, when there is one. */
  note?: string;
  /** How it was skipped: `skip` (skip, skipIf, runIf, ctx.skip) or `todo`. */
  mode: string;
  /** The error of a hook of its suite (e.g. a beforeAll that threw): why it never ran. */
  hookFailed?: string;
}

export interface SkipVerdict {
  /** Lines for the end of the run's output (empty when nothing was skipped). */
  lines: string[];
  /** True when the run must fail because of them. */
  fail: boolean;
}

/** Skips that are expected without a word: the opt-in slow tests when they were not asked for. */
export function isQuietSkip(test: SkippedTest, env: NodeJS.ProcessEnv): boolean {
  return /\.slow\.int\.test\.ts$/.test(test.file) && !env.HVBENCH_SLOW_TESTS;
}

export function reasonOf(test: SkippedTest): string {
  if (test.note) return test.note;
  if (test.hookFailed) return `not run: a hook of its suite failed: ${test.hookFailed.split('\n')[0]}`;
  if (test.mode === 'todo') return 'marked todo';
  return 'a skipIf/runIf condition in the test file (no reason given)';
}

export function judgeSkips(skipped: SkippedTest[], env: NodeJS.ProcessEnv): SkipVerdict {
  const loud = skipped.filter((t) => !isQuietSkip(t, env));
  const quiet = skipped.length - loud.length;
  const lines: string[] = [];
  if (loud.length > 0) {
    lines.push(`${loud.length} test${loud.length === 1 ? '' : 's'} skipped:`);
    for (const t of loud) lines.push(`  ${t.file} > ${t.name} — ${reasonOf(t)}`);
  }
  if (quiet > 0) lines.push(`${quiet} opt-in slow test${quiet === 1 ? '' : 's'} not run (set HVBENCH_SLOW_TESTS=1 to run them)`);
  const fail = loud.length > 0 && Boolean(env.CI);
  if (fail) lines.push('CI: a skipped test fails the run — install what it needs (scripts/setup-host.sh --for-tests) or fix the test');
  return { lines, fail };
}
