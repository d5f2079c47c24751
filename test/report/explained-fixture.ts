import type { Dims, Sample } from '../../src/results/sample.ts';

/**
 * Counted disk runs shaped like the KVM lab's: native, kvm on an emulated (IDE) and a
 * paravirtual (virtio-blk) disk, tcg on IDE; the micro figures of kvm and native. Random
 * reads: kvm IDE 2000 IOPS with 36 000 port I/O exits/s, virtio 7000 IOPS with a few MMIO
 * exits, native 8000 IOPS.
 */

const jitter = [0.98, 0.99, 1, 1.01, 1.02];
/** The counts per operation vary on their own a little, as real ones do. */
const perOpJitter = [1.01, 0.99, 1.02, 0.98, 1];

function sample(metric: string, value: number, unit: string, better: 'higher' | 'lower', dims: Dims): Sample {
  return { metric, value, unit, better, dims: { run: 'r1', suite: 'explain', host: 'local', vcpus: 1, memory_mib: 512, ...dims }, ts: '2026-12-06T00:00:00Z' };
}

function diskCase(backend: string, device: Dims, source: string, work: number, counts: Record<string, number>): Sample[] {
  return jitter.flatMap((f, i) => {
    const rep = i + 1;
    const dims = {
      backend,
      workload: 'disk',
      case: `${backend}/disk/${String(device.disk_model)}`,
      'param.runtimeSec': 5,
      ...device,
      event_source: source,
      rep,
    };
    const iops = work * f;
    return [
      sample('disk.rand_read_iops', iops, 'IOPS', 'higher', dims),
      sample('events.randread.work_per_s', iops, 'IOPS', 'higher', dims),
      ...Object.entries(counts).flatMap(([c, v]) => [
        sample(`events.randread.${c}_per_s`, v * f, 'events/s', 'lower', dims),
        sample(`events.randread.${c}_per_op`, (v / work) * perOpJitter[i]!, 'events/op', 'lower', dims),
      ]),
    ];
  });
}

function microCase(backend: string, ns: Record<string, number>): Sample[] {
  return jitter.flatMap((f, i) =>
    Object.entries(ns).map(([op, v]) =>
      sample(`micro.${op}_ns`, v * f, 'ns', 'lower', { backend, workload: 'micro', case: `${backend}/micro`, 'param.msPerOp': 200, rep: i + 1 }),
    ),
  );
}

export function explainedSamples(): Sample[] {
  const ide = { io: 'emulated', 'param.io': 'emulated', disk_model: 'ide' };
  const virtio = { io: 'paravirtual', 'param.io': 'paravirtual', disk_model: 'virtio-blk' };
  return [
    ...diskCase('native', { io: 'none', disk_model: 'host-file' }, 'proc-faults', 8000, { minor_faults: 12, major_faults: 0 }),
    ...diskCase('kvm', ide, 'kvm-debugfs', 2000, { exits: 90_000, io_exits: 36_000, mmio_exits: 0, halt_exits: 20_000 }),
    ...diskCase('kvm', virtio, 'kvm-debugfs', 7000, { exits: 30_000, io_exits: 0, mmio_exits: 7000, halt_exits: 14_000 }),
    ...diskCase('tcg', ide, 'qemu-jit', 500, { tb_count: 3000, tb_flushes: 0, tb_invalidations: 40 }),
    ...microCase('native', { cpuid: 100, syscall: 80 }),
    ...microCase('kvm', { cpuid: 1200, syscall: 85, ioport: 9000 }),
  ];
}
