import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memory } from '../../src/workloads/memory.ts';

// sysbench 1.0.20 (Debian 12) memory runs captured in the hvbench guest under QEMU TCG; the
// error from the same binary in a chroot of the image.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const step = (id: string, output: string) => ({ id, exitCode: 0, output, elapsedMs: 2000 });

describe('memory workload (sysbench memory)', () => {
  it('reads, then writes, at the block size', () => {
    const steps = memory.command(memory.params.parse({ blockKiB: 4, timeSec: 2 })).steps;
    expect(steps.map((s) => s.id)).toEqual(['read', 'write']);
    expect(steps[1]!.argv).toEqual([
      'sysbench',
      'memory',
      '--threads=1',
      '--time=2',
      '--memory-block-size=4K',
      '--memory-total-size=1T',
      '--memory-oper=write',
      '--memory-access-mode=seq',
      'run',
    ]);
  });

  it('parses real runs', () => {
    const values = memory.parse(
      [step('read', fixture('sysbench-memory-read-1k.txt')), step('write', fixture('sysbench-memory-write-1m.txt'))],
      memory.params.parse({}),
    );
    expect(values).toEqual([
      { metric: 'memory.read_mib_s', value: 629.46 },
      { metric: 'memory.write_mib_s', value: 3160.65 },
    ]);
  });

  it("fails loudly on sysbench's error and on missing output", () => {
    const p = memory.params.parse({});
    expect(() => memory.parse([step('read', fixture('sysbench-memory-bad-block.txt')), step('write', '')], p)).toThrow(/step read\) has no "MiB transferred/);
    expect(() => memory.parse([step('read', fixture('sysbench-memory-read-1k.txt'))], p)).toThrow(/no output for step "write"/);
    expect(memory.params.safeParse({ blockKiB: 0 }).success).toBe(false);
  });
});
