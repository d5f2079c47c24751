import type { CaseRecord, RunRecord } from '../../src/results/run-record.ts';
import type { Sample } from '../../src/results/sample.ts';
import type { ReportInput, ReportRun } from '../../src/report/input.ts';
import { mulberry32 } from '../../src/stats/prng.ts';

/** Small, deterministic runs for report tests: several backends, Xen guest types, I/O pairs, micro costs, boots. */

export const HOSTILE = '<script>window.__hvbPwned = 1</script><img src=x onerror="window.__hvbPwned = 2">';

interface Spec {
  backend: string;
  guestType?: string;
  /** Multiplier of every mean (speed relative to native). */
  speed: number;
}

const VARIANTS: Spec[] = [
  { backend: 'native', speed: 1 },
  { backend: 'kvm', speed: 0.95 },
  { backend: 'xen', guestType: 'pvh', speed: 0.9 },
  { backend: 'tcg', speed: 0.2 },
];

export function record(id: string, startedAt: string, cases: Partial<CaseRecord>[] = []): RunRecord {
  return {
    format: 1,
    id,
    status: 'completed',
    startedAt,
    endedAt: startedAt,
    suite: { name: 'fixture', file: 'suites/fixture.ts', resolved: { name: 'fixture', repetitions: 5, warmup: 0, interleave: true } },
    hvbench: { version: '0.1.0', revision: 'abc1234' },
    hosts: [
      {
        name: 'local',
        hostname: 'bench',
        cpuModel: 'Test CPU 9000',
        cpus: 8,
        cores: 4,
        memoryMiB: 16384,
        kernel: '6.1.0-test',
        os: 'Debian GNU/Linux 12 (bookworm)',
        arch: 'x64',
        virtualization: 'vmx',
        underHypervisor: false,
      },
    ],
    image: { id: 'img0123456789abc', hash: 'feedface00112233', kernelVersion: '6.1.0-test-amd64' },
    backends: [{ backend: 'tcg', host: 'local', available: true, reason: 'QEMU 7.2.22, TCG accelerator available', facts: { qemu: '7.2.22' } }],
    cases: cases.map((c) => ({
      id: 'x',
      backend: 'tcg',
      workload: 'cpu',
      params: {},
      status: 'completed',
      repetitions: 5,
      warmup: 0,
      repetitionsDone: 5,
      usage: [],
      ...c,
    })),
    samplesFile: 'samples.jsonl',
    writer: { hostname: 'bench', pid: 1 },
  };
}

/** Samples of one run: `reps` repetitions of every metric on every variant; `shift` multiplies tcg's cpu figure (a regression when < 1). */
export function runSamples(runId: string, options: { reps?: number; seed?: number; tcgCpuShift?: number; extraDims?: Sample['dims'] } = {}): Sample[] {
  const reps = options.reps ?? 5;
  const rnd = mulberry32(options.seed ?? 1);
  const noise = (cv: number) => 1 + cv * (rnd() * 2 - 1) * 1.7;
  const out: Sample[] = [];
  const push = (v: Spec, workload: string, metric: string, unit: string, better: 'higher' | 'lower', value: number, rep: number, dims: Sample['dims'] = {}) =>
    out.push({
      metric,
      value: Number(value.toPrecision(6)),
      unit,
      better,
      dims: {
        suite: 'fixture',
        run: runId,
        case: `${v.backend}/${workload}`,
        backend: v.backend,
        accel: v.backend === 'native' ? 'none' : v.backend,
        ...(v.guestType ? { guest_type: v.guestType } : {}),
        workload,
        vcpus: 1,
        memory_mib: 512,
        rep,
        host: 'local',
        image: 'feedface00112233',
        qemu: '7.2.22',
        ...options.extraDims,
        ...dims,
      },
      ts: '2026-01-01T00:00:00.000Z',
    });
  for (const v of VARIANTS) {
    for (let rep = 1; rep <= reps; rep++) {
      for (const threads of [1, 2]) {
        const shift = v.backend === 'tcg' ? (options.tcgCpuShift ?? 1) : 1;
        push(v, 'cpu', 'cpu.events_per_s', 'events/s', 'higher', 1000 * threads * v.speed * shift * noise(0.02), rep, { 'param.threads': threads });
      }
      push(v, 'boot', 'boot.to_ready_ms', 'ms', 'lower', (v.backend === 'native' ? 300 : 1500 / v.speed) * noise(0.05), rep);
      for (const [op, ns] of [
        ['cpuid', 40],
        ['syscall', 90],
        ['rdtsc', 8],
      ] as const)
        push(v, 'micro', `micro.${op}_ns`, 'ns', 'lower', ((v.backend === 'native' || op !== 'cpuid' ? ns : ns * 30) / v.speed) * noise(0.03), rep);
      if (v.backend === 'native') {
        push(v, 'disk', 'disk.seq_read_mib_s', 'MiB/s', 'higher', 2000 * noise(0.03), rep, { 'param.io': 'paravirtual', io: 'none', disk_model: 'host-file' });
      } else {
        push(v, 'disk', 'disk.seq_read_mib_s', 'MiB/s', 'higher', 1800 * v.speed * noise(0.03), rep, {
          'param.io': 'paravirtual',
          io: 'paravirtual',
          disk_model: v.backend === 'xen' ? 'xen-vbd' : 'virtio-blk',
        });
        if (v.backend !== 'xen')
          push(v, 'disk', 'disk.seq_read_mib_s', 'MiB/s', 'higher', 600 * v.speed * noise(0.03), rep, {
            'param.io': 'emulated',
            io: 'emulated',
            disk_model: 'ide',
          });
      }
    }
  }
  return out;
}

export function reportRun(id: string, startedAt: string, samples: Sample[], cases: Partial<CaseRecord>[] = []): ReportRun {
  return { record: record(id, startedAt, cases), samples, warnings: [] };
}

export function reportInput(runs: ReportRun[], extra: Partial<ReportInput> = {}): ReportInput {
  return {
    runs,
    settings: () => ({ alpha: 0.01, noiseThreshold: 0.05 }),
    seed: 1,
    permutations: 2000,
    ratioCi: 'log-t',
    generatedAt: '2026-01-02T00:00:00.000Z',
    ...extra,
  };
}
