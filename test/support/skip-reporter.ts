import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
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
        skipped.push({ file, name: t.fullName, mode: t.options.mode, ...(r.note ? { note: r.note } : {}) });
      }
    }
    const verdict = judgeSkips(skipped, process.env);
    if (verdict.lines.length > 0) process.stdout.write(`\n${verdict.lines.join('\n')}\n`);
    if (verdict.fail) process.exitCode = 1;
  }
}
