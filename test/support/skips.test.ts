import { describe, expect, it } from 'vitest';
import { judgeSkips, type SkippedTest } from './skips.ts';

const ssh: SkippedTest = { file: 'test/hosts/ssh-host.int.test.ts', name: 'ssh host > runs a command', note: 'sshd is not installed', mode: 'skip' };
const slow: SkippedTest = { file: 'test/labs/xen-hvm.slow.int.test.ts', name: 'Xen lab with --hvm > boots', mode: 'skip' };
const bare: SkippedTest = { file: 'test/hosts/netns.int.test.ts', name: 'guest network', mode: 'skip' };

describe('skipped tests', () => {
  it('lists every skip with its reason, and passes outside CI', () => {
    const v = judgeSkips([ssh, bare], {});
    expect(v.fail).toBe(false);
    expect(v.lines).toEqual([
      '2 tests skipped:',
      '  test/hosts/ssh-host.int.test.ts > ssh host > runs a command — sshd is not installed',
      '  test/hosts/netns.int.test.ts > guest network — a skipIf/runIf condition in the test file (no reason given)',
    ]);
  });
  it('fails the run under CI', () => {
    const v = judgeSkips([ssh], { CI: '1' });
    expect(v.fail).toBe(true);
    expect(v.lines.at(-1)).toMatch(/^CI: a skipped test fails the run/);
  });
  it('keeps the opt-in slow test quiet, also under CI, unless it was asked for', () => {
    expect(judgeSkips([slow], { CI: '1' })).toEqual({ lines: ['1 opt-in slow test not run (set HVBENCH_SLOW_TESTS=1 to run them)'], fail: false });
    expect(judgeSkips([slow], { CI: '1', HVBENCH_SLOW_TESTS: '1' }).fail).toBe(true);
  });
  it('says when a test did not run because a hook of its suite failed', () => {
    const v = judgeSkips([{ ...bare, hookFailed: 'sshd did not start\nat line 3' }], {});
    expect(v.lines[1]).toBe('  test/hosts/netns.int.test.ts > guest network — not run: a hook of its suite failed: sshd did not start');
  });

  it('says nothing when nothing was skipped', () => {
    expect(judgeSkips([], { CI: '1' })).toEqual({ lines: [], fail: false });
  });
});
