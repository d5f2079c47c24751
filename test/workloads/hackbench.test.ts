import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hackbench, parseHackbench } from '../../src/workloads/hackbench.ts';

// hackbench from rt-tests 2.4 (Debian 12): a run in the hvbench guest under QEMU TCG; the
// option error from the same binary in a chroot of the image.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('hackbench workload', () => {
  it('passes the group shape and the task mode', () => {
    expect(hackbench.command(hackbench.params.parse({ groups: 2, fds: 5, loops: 100, mode: 'thread' })).steps).toEqual([
      { id: 'hackbench', argv: ['hackbench', '-g', '2', '-f', '5', '-l', '100', '-T'] },
    ]);
  });

  it('parses a real run', () => {
    expect(hackbench.parse([{ id: 'hackbench', exitCode: 0, output: fixture('hackbench-2groups.txt'), elapsedMs: 700 }], hackbench.params.parse({}))).toEqual([
      { metric: 'micro.hackbench_s', value: 0.554 },
    ]);
  });

  it('fails with its own error line', () => {
    expect(() => parseHackbench(fixture('hackbench-bad-option.txt'))).toThrow(
      'hackbench output has no "Time:" line (it said: /usr/bin/hackbench: --loops|-l requires an integer > 0)',
    );
  });
});
