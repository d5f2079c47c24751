import { z } from 'zod';
import { parseFioJob, type FioSide } from './fio-output.ts';
import { cpuPerGib, HOST_CPU_PER_GIB } from './host-metrics.ts';
import { intParam } from './int-params.ts';
import { checkDiskPath, checkIoDevice, diskPathOf, diskPathParams, ioParams, ioRequest } from './io-params.ts';
import { stepOutput } from './tool-output.ts';
import type { GuestStep, MetricValue, StepOutput, Workload } from './workload.ts';

const params = z
  .strictObject({
    ...ioParams('disk'),
    ...diskPathParams(),
    /** Size of the raw scratch disk attached for the case, in MiB. */
    sizeMiB: intParam(16, 1_048_576, 256),
    /** Seconds each of the four fio jobs runs. */
    runtimeSec: intParam(1, 600, 5),
    /** I/O queue depth of every job (fio --iodepth, libaio). */
    queueDepth: intParam(1, 1024, 16),
  })
  .superRefine((p, ctx) => {
    checkIoDevice(p, ctx);
    checkDiskPath(p, ctx);
  });

type DiskParams = z.output<typeof params>;

/** The four jobs: sequential at 1 MiB for bandwidth, random at 4 KiB for IOPS and latency. */
export const DISK_JOBS = [
  { id: 'seqread', rw: 'read', bs: '1M', side: 'read' },
  { id: 'seqwrite', rw: 'write', bs: '1M', side: 'write' },
  { id: 'randread', rw: 'randread', bs: '4k', side: 'read' },
  { id: 'randwrite', rw: 'randwrite', bs: '4k', side: 'write' },
] as const;

/** Where fio writes a job's JSON report in the guest (a tmpfs), and the step that prints it. */
const reportPath = (id: string) => `/run/fio-${id}.json`;
const reportStep = (id: string) => `${id}-report`;

/**
 * A job is two steps: fio writes its JSON report to a file (`--output`), then `cat` prints
 * it. On stdout the report would share the step's output with fio's messages on stderr,
 * which can land inside the JSON text; the file holds the report alone.
 */
function jobSteps(job: (typeof DISK_JOBS)[number], p: DiskParams): GuestStep[] {
  return [
    {
      id: job.id,
      // hvb-fresh drops the guest's caches first; @disk is the scratch disk the agent found.
      argv: [
        'hvb-fresh',
        'fio',
        `--name=${job.id}`,
        '--filename=@disk',
        `--rw=${job.rw}`,
        `--bs=${job.bs}`,
        '--ioengine=libaio',
        '--direct=1',
        `--iodepth=${p.queueDepth}`,
        `--runtime=${p.runtimeSec}`,
        '--time_based=1',
        '--output-format=json',
        `--output=${reportPath(job.id)}`,
      ],
    },
    { id: reportStep(job.id), argv: ['cat', reportPath(job.id)] },
  ];
}

function jobResults(outputs: readonly StepOutput[]): Map<string, FioSide> {
  const results = new Map<string, FioSide>();
  for (const job of DISK_JOBS) {
    const report = stepOutput(outputs, reportStep(job.id));
    const said = outputs.find((o) => o.id === job.id)?.output ?? '';
    results.set(job.id, parseFioJob(report.output, job.side, said));
  }
  return results;
}

const MIB = 1024 * 1024;

/**
 * fio on a raw scratch disk attached for the case with the requested I/O model: direct I/O
 * (O_DIRECT, libaio), guest caches dropped before each job. Bandwidth of sequential 1 MiB
 * reads and writes; IOPS and completion latency of random 4 KiB reads and writes. The host
 * side of the disk (aio, cache, iothread, queues) is the I/O path the case asks for; each
 * backend says which paths it can set (BackendDevices.diskPath).
 */
export const disk: Workload<typeof params> = {
  name: 'disk',
  description: 'fio on a scratch disk: sequential 1 MiB bandwidth, random 4 KiB IOPS and latency',
  params,
  tools: ['fio'],
  metrics: [
    { name: 'disk.seq_read_mib_s', unit: 'MiB/s', better: 'higher', description: 'sequential read bandwidth, 1 MiB blocks' },
    { name: 'disk.seq_write_mib_s', unit: 'MiB/s', better: 'higher', description: 'sequential write bandwidth, 1 MiB blocks' },
    { name: 'disk.rand_read_iops', unit: 'IOPS', better: 'higher', description: 'random 4 KiB reads per second' },
    { name: 'disk.rand_write_iops', unit: 'IOPS', better: 'higher', description: 'random 4 KiB writes per second' },
    { name: 'disk.rand_read_clat_p50_us', unit: 'us', better: 'lower', description: 'median completion latency of random 4 KiB reads' },
    { name: 'disk.rand_read_clat_p99_us', unit: 'us', better: 'lower', description: '99th percentile completion latency of random 4 KiB reads' },
    { name: 'disk.rand_write_clat_p50_us', unit: 'us', better: 'lower', description: 'median completion latency of random 4 KiB writes' },
    { name: 'disk.rand_write_clat_p99_us', unit: 'us', better: 'lower', description: '99th percentile completion latency of random 4 KiB writes' },
    HOST_CPU_PER_GIB,
  ],
  devices: (p) => {
    const path = diskPathOf(p);
    return { disk: { ...ioRequest(p), sizeMiB: p.sizeMiB, ...(path ? { path } : {}) } };
  },
  // Each job: its runtime plus fio's start-up and the cache drop, slow under emulation.
  expectedSeconds: (p) => DISK_JOBS.length * (p.runtimeSec + 4),
  command: (p) => ({ steps: DISK_JOBS.flatMap((job) => jobSteps(job, p)) }),
  parse(outputs) {
    const r = jobResults(outputs);
    const get = (id: string) => r.get(id) as FioSide;
    return [
      { metric: 'disk.seq_read_mib_s', value: get('seqread').bwBytesPerS / MIB },
      { metric: 'disk.seq_write_mib_s', value: get('seqwrite').bwBytesPerS / MIB },
      { metric: 'disk.rand_read_iops', value: get('randread').iops },
      { metric: 'disk.rand_write_iops', value: get('randwrite').iops },
      { metric: 'disk.rand_read_clat_p50_us', value: get('randread').clatP50Us },
      { metric: 'disk.rand_read_clat_p99_us', value: get('randread').clatP99Us },
      { metric: 'disk.rand_write_clat_p50_us', value: get('randwrite').clatP50Us },
      { metric: 'disk.rand_write_clat_p99_us', value: get('randwrite').clatP99Us },
    ];
  },
  hostCost(outputs, cost): MetricValue[] {
    return cpuPerGib(
      [...jobResults(outputs).values()].reduce((n, s) => n + s.ioBytes, 0),
      cost,
    );
  },
};
