import { z } from 'zod';
import { FIO_JOBS, fioHostCost, fioJobSteps, fioMetricDefs, fioMetricValues, fioStepWork } from './fio-jobs.ts';
import { HOST_CPU_PER_GIB } from './host-metrics.ts';
import { intParam } from './int-params.ts';
import { checkDiskPath, checkIoDevice, diskPathOf, diskPathParams, ioParams, ioRequest } from './io-params.ts';
import type { Workload } from './workload.ts';

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
  metrics: [...fioMetricDefs('disk'), HOST_CPU_PER_GIB],
  devices: (p) => {
    const path = diskPathOf(p);
    return { disk: { ...ioRequest(p), sizeMiB: p.sizeMiB, ...(path ? { path } : {}) } };
  },
  // Each job: its runtime plus fio's start-up and the cache drop, slow under emulation.
  expectedSeconds: (p) => FIO_JOBS.length * (p.runtimeSec + 4),
  // @disk: the scratch disk the agent found.
  command: (p) => ({ steps: fioJobSteps({ filename: '@disk' }, p) }),
  parse: (outputs) => fioMetricValues('disk', outputs),
  stepWork: () => fioStepWork('disk'),
  hostCost: (outputs, cost) => fioHostCost(outputs, cost),
};
