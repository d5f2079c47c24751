import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpu } from '../../src/workloads/cpu.ts';

// Outputs captured from sysbench 1.0.20 (Debian 12) in the hvbench guest under QEMU TCG.
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const parse = (output: string) => cpu.parse([{ id: 'cpu', exitCode: 0, output, elapsedMs: 1000 }], cpu.params.parse({}));

describe('cpu workload (sysbench cpu)', () => {
  it('builds the sysbench command from its parameters, with defaults', () => {
    expect(cpu.command(cpu.params.parse({ threads: 2, timeSec: 3 })).steps).toEqual([
      { id: 'cpu', argv: ['sysbench', 'cpu', '--threads=2', '--time=3', '--events=0', '--cpu-max-prime=10000', '--percentile=95', 'run'] },
    ]);
  });

  it('parses a real one-thread run', () => {
    expect(parse(fixture('sysbench-cpu-1thread.txt'))).toEqual([
      { metric: 'cpu.events_per_s', value: 380.14 },
      { metric: 'cpu.latency_avg_ms', value: 2.55 },
      { metric: 'cpu.latency_p95_ms', value: 3.19 },
    ]);
  });

  it('parses a real two-thread run', () => {
    expect(parse(fixture('sysbench-cpu-2threads.txt'))).toEqual([
      { metric: 'cpu.events_per_s', value: 249.05 },
      { metric: 'cpu.latency_avg_ms', value: 7.67 },
      { metric: 'cpu.latency_p95_ms', value: 9.56 },
    ]);
  });

  it('fails loudly on output it does not recognise, naming the missing line', () => {
    const cut = fixture('sysbench-cpu-1thread.txt').replace(/95th percentile:.*\n/, '');
    expect(() => parse(cut)).toThrow(/no "95th percentile:" line/);
    expect(() => parse('FATAL: unknown test: cpuu\n')).toThrow(/no "events per second:" line/);
    expect(() => cpu.parse([], cpu.params.parse({}))).toThrow(/no output for step "cpu"/);
  });

  it('refuses parameters out of range', () => {
    expect(cpu.params.safeParse({ threads: 0 }).success).toBe(false);
    expect(cpu.params.safeParse({ timeSec: 1.5 }).success).toBe(false);
    expect(cpu.params.safeParse({ unknown: 1 }).success).toBe(false);
  });
});
