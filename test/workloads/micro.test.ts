import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { micro, parseMicro } from '../../src/workloads/micro.ts';

// hvb-micro (src/guest/micro/hvb-micro.c) as built into the image: a run in the guest under
// QEMU TCG, the native backend on a host kernel without ioperm, and its errors (ioperm
// refused by an older build, unknown operation) from a chroot of the image.
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

  it('leaves out an operation the host kernel does not offer, and keeps the others (native on a kernel without ioperm)', () => {
    expect(parseMicro(fixture('hvb-micro-native-no-ioperm.txt')).unavailable).toEqual({
      ioport: 'ioperm(0xe0): Function not implemented (this kernel has no I/O port permissions)',
    });
    const values = micro.parse([{ id: 'micro', exitCode: 0, output: fixture('hvb-micro-native-no-ioperm.txt'), elapsedMs: 1010 }], micro.params.parse({}));
    expect(values.map((v) => v.metric)).toEqual(['micro.cpuid_ns', 'micro.syscall_ns', 'micro.pagefault_ns', 'micro.rdtsc_ns']);
    expect(values[0]!.value).toBe(12443.225);
  });

  it("fails with hvb-micro's own error", () => {
    expect(() => parseMicro(fixture('hvb-micro-ioperm-denied.txt'))).toThrow(
      'hvb-micro output has no figure for cpuid, syscall, pagefault, ioport, rdtsc (it said: ioperm(0xe0): Function not implemented (port access needs root))',
    );
    expect(() => parseMicro(fixture('hvb-micro-unknown-op.txt'))).toThrow(/\(it said: unknown operation "fork"\)/);
    expect(() => parseMicro(fixture('hvb-micro-tcg.txt').replace(/^rdtsc.*$/m, ''))).toThrow(/no figure for rdtsc$/);
  });
});
