import { parseFioJob, type FioSide } from './fio-output.ts';
import { cpuPerGib } from './host-metrics.ts';
import { stepOutput } from './tool-output.ts';
import type { GuestStep, MetricDef, MetricValue, StepOutput, JobCost, StepWork } from './workload.ts';

/**
 * The four fio jobs the disk and fs workloads run, on a device or on a file: sequential at
 * 1 MiB for bandwidth, random at 4 KiB for IOPS and latency; direct I/O (libaio), the
 * guest's caches dropped before each.
 */
export const FIO_JOBS = [
  { id: 'seqread', rw: 'read', bs: '1M', side: 'read' },
  { id: 'seqwrite', rw: 'write', bs: '1M', side: 'write' },
  { id: 'randread', rw: 'randread', bs: '4k', side: 'read' },
  { id: 'randwrite', rw: 'randwrite', bs: '4k', side: 'write' },
] as const;

/** Where fio writes a job's JSON report in the guest (a tmpfs), and the step that prints it. */
const reportPath = (id: string) => `/run/fio-${id}.json`;
const reportStep = (id: string) => `${id}-report`;
const MIB = 1024 * 1024;

/** What a job works on: `@disk` (the scratch disk the agent found) or a file, with the size fio lays it out at. */
export interface FioTarget {
  filename: string;
  sizeMiB?: number;
}

/**
 * Every job is two steps: fio writes its JSON report to a file (`--output`), then `cat` prints
 * it. On stdout the report would share the step's output with fio's messages on stderr,
 * which can land inside the JSON text; the file holds the report alone.
 */
export function fioJobSteps(target: FioTarget, p: { queueDepth: number; runtimeSec: number }): GuestStep[] {
  return FIO_JOBS.flatMap((job) => [
    {
      id: job.id,
      // hvb-fresh drops the guest's caches first.
      argv: [
        'hvb-fresh',
        'fio',
        `--name=${job.id}`,
        `--filename=${target.filename}`,
        ...(target.sizeMiB === undefined ? [] : [`--size=${target.sizeMiB}M`]),
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
  ]);
}

function jobResults(outputs: readonly StepOutput[]): Map<string, FioSide> {
  const results = new Map<string, FioSide>();
  for (const job of FIO_JOBS) {
    const report = stepOutput(outputs, reportStep(job.id));
    const said = outputs.find((o) => o.id === job.id)?.output ?? '';
    results.set(job.id, parseFioJob(report.output, job.side, said));
  }
  return results;
}

/** Each job's throughput under `prefix`: bandwidth of the sequential jobs, IOPS (operations) of the random ones. */
export function fioStepWork(prefix: string): StepWork[] {
  return [
    { step: 'seqread', metric: `${prefix}.seq_read_mib_s` },
    { step: 'seqwrite', metric: `${prefix}.seq_write_mib_s` },
    { step: 'randread', metric: `${prefix}.rand_read_iops`, ops: 'rate' },
    { step: 'randwrite', metric: `${prefix}.rand_write_iops`, ops: 'rate' },
  ];
}

/** The jobs' metrics under `prefix` (`disk`, `fs`); `what` names the I/O in the descriptions (`file ` for fs). */
export function fioMetricDefs(prefix: string, what = ''): MetricDef[] {
  return [
    { name: `${prefix}.seq_read_mib_s`, unit: 'MiB/s', better: 'higher', description: `sequential ${what}read bandwidth, 1 MiB blocks` },
    { name: `${prefix}.seq_write_mib_s`, unit: 'MiB/s', better: 'higher', description: `sequential ${what}write bandwidth, 1 MiB blocks` },
    { name: `${prefix}.rand_read_iops`, unit: 'IOPS', better: 'higher', description: `random 4 KiB ${what}reads per second` },
    { name: `${prefix}.rand_write_iops`, unit: 'IOPS', better: 'higher', description: `random 4 KiB ${what}writes per second` },
    { name: `${prefix}.rand_read_clat_p50_us`, unit: 'us', better: 'lower', description: `median completion latency of random 4 KiB ${what}reads` },
    { name: `${prefix}.rand_read_clat_p99_us`, unit: 'us', better: 'lower', description: `99th percentile completion latency of random 4 KiB ${what}reads` },
    { name: `${prefix}.rand_write_clat_p50_us`, unit: 'us', better: 'lower', description: `median completion latency of random 4 KiB ${what}writes` },
    { name: `${prefix}.rand_write_clat_p99_us`, unit: 'us', better: 'lower', description: `99th percentile completion latency of random 4 KiB ${what}writes` },
  ];
}

/** The jobs' values under `prefix`, from their reports. */
export function fioMetricValues(prefix: string, outputs: readonly StepOutput[]): MetricValue[] {
  const r = jobResults(outputs);
  const get = (id: string) => r.get(id) as FioSide;
  return [
    { metric: `${prefix}.seq_read_mib_s`, value: get('seqread').bwBytesPerS / MIB },
    { metric: `${prefix}.seq_write_mib_s`, value: get('seqwrite').bwBytesPerS / MIB },
    { metric: `${prefix}.rand_read_iops`, value: get('randread').iops },
    { metric: `${prefix}.rand_write_iops`, value: get('randwrite').iops },
    { metric: `${prefix}.rand_read_clat_p50_us`, value: get('randread').clatP50Us },
    { metric: `${prefix}.rand_read_clat_p99_us`, value: get('randread').clatP99Us },
    { metric: `${prefix}.rand_write_clat_p50_us`, value: get('randwrite').clatP50Us },
    { metric: `${prefix}.rand_write_clat_p99_us`, value: get('randwrite').clatP99Us },
  ];
}

/** The VMM's CPU time per GiB the jobs moved. */
export function fioHostCost(outputs: readonly StepOutput[], cost: JobCost): MetricValue[] {
  return cpuPerGib(
    [...jobResults(outputs).values()].reduce((n, s) => n + s.ioBytes, 0),
    cost,
  );
}
