import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseStream, stream } from '../../src/workloads/stream.ts';

// stress-ng 0.15.06 (Debian 12) stream runs captured in the hvbench guest under QEMU TCG;
// the option error from the same binary in a chroot of the image.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('stream workload (stress-ng --stream)', () => {
  it('runs the stream stressor on fixed-size arrays', () => {
    expect(stream.command(stream.params.parse({ timeSec: 12 })).steps).toEqual([
      { id: 'stream', argv: ['stress-ng', '--stream', '1', '--stream-l3-size', '16M', '--timeout', '12', '--metrics-brief'] },
    ]);
    expect(stream.tools).toEqual(['stress-ng']);
  });

  it('parses a real run', () => {
    const values = stream.parse([{ id: 'stream', exitCode: 0, output: fixture('stress-ng-stream.txt'), elapsedMs: 12000 }], stream.params.parse({}));
    expect(values).toEqual([
      { metric: 'memory.stream_read_mb_s', value: 155.77 },
      { metric: 'memory.stream_write_mb_s', value: 103.85 },
    ]);
  });

  it('adds the rates of several instances and insists on one per instance', () => {
    const one = fixture('stress-ng-stream.txt');
    const two = one.replace(/^.*\(instance 0\)$/m, (l) => `${l}\n${l.replace('[91]', '[92]').replace('instance 0', 'instance 1')}`);
    expect(parseStream(two, 2)).toEqual({ readMBs: 311.54, writeMBs: 207.7 });
    expect(() => parseStream(one, 2)).toThrow(/reported 1 memory rates, expected 2/);
  });

  it('says when the run was too short to measure, and fails on errors', () => {
    expect(() => parseStream(fixture('stress-ng-stream-too-short.txt'), 1)).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/too short to determine a memory rate/), hint: expect.stringMatching(/raise timeSec/) }),
    );
    expect(() => parseStream(fixture('stress-ng-stream-bad-size.txt'), 1)).toThrow(/reported 0 memory rates/);
    expect(stream.params.safeParse({ timeSec: 3 }).success).toBe(false);
  });
});
