import { describe, expect, it } from 'vitest';
import { countedMetricDefs, stepWorkValues } from '../../src/runner/step-work.ts';
import { toSamples } from '../../src/runner/sample-dims.ts';
import { sampleValueProblem } from '../../src/results/value-range.ts';
import { cpu } from '../../src/workloads/cpu.ts';
import { disk } from '../../src/workloads/disk.ts';
import { fs } from '../../src/workloads/fs.ts';
import { memory } from '../../src/workloads/memory.ts';
import { micro } from '../../src/workloads/micro.ts';
import { net } from '../../src/workloads/net.ts';
import type { Workload } from '../../src/workloads/workload.ts';
import { METRIC_NAME } from '../../src/results/validate.ts';

describe("a counted step's throughput", () => {
  it('writes work_per_s beside the counts and, for operations, each counter per operation', () => {
    const values = [
      { metric: 'events.randread.io_exits_per_s', value: 36_000 },
      { metric: 'events.randread.exits_per_s', value: 90_000 },
      { metric: 'events.seqread.io_exits_per_s', value: 500 },
      { metric: 'disk.rand_read_iops', value: 2000 },
      { metric: 'disk.seq_read_mib_s', value: 250 },
      { metric: 'disk.rand_write_iops', value: 1500 },
    ];
    const out = stepWorkValues(values, disk.stepWork!(disk.params.parse({})));
    expect(out).toEqual([
      { metric: 'events.seqread.work_per_s', value: 250 },
      { metric: 'events.randread.work_per_s', value: 2000 },
      { metric: 'events.randread.io_exits_per_op', value: 18 },
      { metric: 'events.randread.exits_per_op', value: 45 },
    ]);
    const defs = countedMetricDefs([...values, ...out], disk, disk.params.parse({}));
    const d = (name: string) => defs.find((x) => x.name === name);
    expect(d('events.seqread.work_per_s')).toMatchObject({ unit: 'MiB/s', better: 'higher' });
    expect(d('events.randread.work_per_s')).toMatchObject({ unit: 'IOPS', better: 'higher' });
    expect(d('events.randread.io_exits_per_op')).toMatchObject({ unit: 'events/op', better: 'lower' });
    expect(d('events.randread.io_exits_per_s')).toMatchObject({ unit: 'events/s', better: 'lower' });
    // Every value declared once: the runner turns them into samples without an undeclared metric.
    expect(defs.filter((x) => x.name.endsWith('work_per_s'))).toHaveLength(2);
    const samples = toSamples([...values.filter((v) => v.metric.startsWith('events.')), ...out], defs, { backend: 'kvm' }, 't');
    for (const s of samples) {
      expect(s.metric).toMatch(METRIC_NAME);
      expect(sampleValueProblem(s.value, s.metric)).toBeUndefined();
    }
  });

  it("takes a ping-pong's round trips per second from its mean round trip", () => {
    const out = stepWorkValues(
      [
        { metric: 'events.net-rr.exits_per_s', value: 4000 },
        { metric: 'net.rr_latency_avg_us', value: 50 },
      ],
      net.stepWork!(net.params.parse({})),
    );
    expect(out).toEqual([
      { metric: 'events.net-rr.work_per_s', value: 20_000 },
      { metric: 'events.net-rr.exits_per_op', value: 0.2 },
    ]);
    const defs = countedMetricDefs(out, net, net.params.parse({}));
    expect(defs.find((x) => x.name === 'events.net-rr.work_per_s')?.unit).toBe('ops/s');
  });

  it('gives nothing for a step without counts, without its throughput, or with none', () => {
    const work = cpu.stepWork!(cpu.params.parse({}));
    expect(stepWorkValues([{ metric: 'cpu.events_per_s', value: 800 }], work)).toEqual([]);
    expect(stepWorkValues([{ metric: 'events.cpu.exits_per_s', value: 10 }], work)).toEqual([]);
    expect(
      stepWorkValues(
        [
          { metric: 'events.cpu.exits_per_s', value: 10 },
          { metric: 'cpu.events_per_s', value: 0 },
        ],
        work,
      ),
    ).toEqual([]);
  });

  it.each([cpu, disk, fs, memory, net] as Workload[])('the $name workload declares throughputs of its own steps and metrics', (w) => {
    const params = w.params.parse({});
    const work = w.stepWork!(params);
    expect(work.length).toBeGreaterThan(0);
    const ctx = {
      net: { peer: '10.0.0.1', guestCidr: '10.0.0.2/24', ports: { iperf3: 1, sockperfUdp: 2, sockperfTcp: 3 } },
      share: { model: 'virtiofs', tag: 'hvb' },
    } as never;
    const steps = new Set(w.command(params, ctx).steps.map((s) => s.id));
    const metrics = new Set(w.metrics.map((m) => m.name));
    for (const x of work) {
      expect(steps, x.step).toContain(x.step);
      expect(metrics, x.metric).toContain(x.metric);
    }
  });

  it('micro declares none: its steps are their own unit costs', () => {
    expect(micro.stepWork).toBeUndefined();
  });
});
