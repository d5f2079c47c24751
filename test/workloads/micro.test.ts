import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { micro, parseMicro } from '../../src/workloads/micro.ts';

// hvb-micro (src/guest/micro/hvb-micro.c) as built into the image: a run in the guest under
// QEMU TCG, and its errors (ioperm refused, unknown operation) from a chroot of the image.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('micro workload (hvb-micro)', () => {
  it('times every operation for the given milliseconds', () => {
    expect(micro.command(micro.params.parse({ msPerOp: 100 })).steps).toEqual([
      { id: 'micro', argv: ['hvb-micro', '--ms', '100', 'cpuid', 'syscall', 'pagefault', 'ioport', 'rdtsc'] },
    ]);
    expect(micro.tools).toEqual(['hvb-micro']);
  });

  it('parses a real run into ns per operation', () => {
    const values = micro.parse([{ id: 'micro', exitCode: 0, output: fixture('hvb-micro-tcg.txt'), elapsedMs: 1000 }], micro.params.parse({}));
    expect(values).toEqual([
      { metric: 'micro.cpuid_ns', value: 21.63 },
      { metric: 'micro.syscall_ns', value: 1211.325 },
      { metric: 'micro.pagefault_ns', value: 14037.72 },
      { metric: 'micro.ioport_ns', value: 109.684 },
      { metric: 'micro.rdtsc_ns', value: 19.424 },
    ]);
  });

  it("fails with hvb-micro's own error", () => {
    expect(() => parseMicro(fixture('hvb-micro-ioperm-denied.txt'))).toThrow('hvb-micro output has no figure for cpuid, syscall, pagefault, ioport, rdtsc (it said: ioperm(0xe0): Function not implemented (port access needs root))');
    expect(() => parseMicro(fixture('hvb-micro-unknown-op.txt'))).toThrow(/\(it said: unknown operation "fork"\)/);
    expect(() => parseMicro(fixture('hvb-micro-tcg.txt').replace(/^rdtsc.*$/m, ''))).toThrow(/no figure for rdtsc$/);
  });
});
