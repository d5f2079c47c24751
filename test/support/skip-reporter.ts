import { relative } from 'node:path';
import type { Reporter, TestModule, TestSuite } from 'vitest/node';
import { judgeSkips, type SkippedTest } from './skips.ts';

/**
 * A vitest reporter (added by scripts/test.sh next to the default one): lists every
 * skipped test with its reason at the end, and fails the run under CI (see skips.ts).
 */
export default class SkipReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const skipped: SkippedTest[] = [];
    for (const m of modules) {
      const file = relative(process.cwd(), m.moduleId);
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state !== 'skipped') continue;
        const hookFailed = failedParent(t.parent);
        skipped.push({ file, name: t.fullName, mode: t.options.mode, ...(r.note ? { note: r.note } : {}), ...(hookFailed ? { hookFailed } : {}) });
      }
    }
    const verdict = judgeSkips(skipped, process.env);
    if (verdict.lines.length > 0) process.stdout.write(`\n${verdict.lines.join('\n')}\n`);
    if (verdict.fail) process.exitCode = 1;
  }
}

/** The first error of the test's suites (a beforeAll that threw): the test did not run because of it. */
function failedParent(parent: TestSuite | TestModule): string | undefined {
  for (let p: TestSuite | TestModule | undefined = parent; p; p = p.type === 'suite' ? p.parent : undefined) {
    const error = p.errors()[0];
    if (error) return error.message ?? String(error);
  }
  return undefined;
}
