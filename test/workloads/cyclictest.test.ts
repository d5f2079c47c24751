import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cyclictest, parseCyclictest } from '../../src/workloads/cyclictest.ts';

// cyclictest from rt-tests 2.4 (Debian 12) in the hvbench guest under QEMU TCG: a run, and an
// earlier one from a guest without /dev/shm (cyclictest warns and goes on); a fatal error
// from the same binary in a chroot of the image.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('cyclictest workload', () => {
  it('runs real-time measuring threads for the duration', () => {
    expect(cyclictest.command(cyclictest.params.parse({ timeSec: 3, threads: 2 })).steps).toEqual([
      { id: 'cyclictest', argv: ['cyclictest', '-q', '-m', '-p', '80', '-i', '1000', '-t', '2', '-D', '3'] },
    ]);
  });

  it('parses real runs', () => {
    const p = cyclictest.params.parse({});
    expect(cyclictest.parse([{ id: 'cyclictest', exitCode: 0, output: fixture('cyclictest-1thread.txt'), elapsedMs: 2800 }], p)).toEqual([
      { metric: 'micro.timer_latency_min_us', value: 67 },
      { metric: 'micro.timer_latency_avg_us', value: 553 },
      { metric: 'micro.timer_latency_max_us', value: 58870 },
    ]);
    expect(parseCyclictest(fixture('cyclictest-no-shm.txt'), 1)).toEqual({ minUs: 47, avgUs: 351, maxUs: 14544 });
  });

  it('combines threads: smallest min, cycle-weighted mean, largest max', () => {
    const two =
      'T: 0 ( 98) P:80 I:1000 C:   100 Min:     10 Act:   20 Avg:   20 Max:     50\nT: 1 ( 99) P:80 I:1500 C:   300 Min:      5 Act:   40 Avg:   40 Max:     30\n';
    expect(parseCyclictest(two, 2)).toEqual({ minUs: 5, avgUs: 35, maxUs: 50 });
    expect(() => parseCyclictest(two, 3)).toThrow(/printed 2 thread summaries, expected 3/);
  });

  it('fails with its own fatal line', () => {
    expect(() => parseCyclictest(fixture('cyclictest-fatal.txt'), 1)).toThrow(
      'cyclictest printed 0 thread summaries, expected 1 (it said: FATAL: invalid cpu passed to numa_node_of_cpu(0))',
    );
  });
});
