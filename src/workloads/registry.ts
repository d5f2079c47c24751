import { boot } from './boot.ts';
import { cpu } from './cpu.ts';
import { cyclictest } from './cyclictest.ts';
import { disk } from './disk.ts';
import { fs } from './fs.ts';
import { hackbench } from './hackbench.ts';
import { memory } from './memory.ts';
import { micro } from './micro.ts';
import { net } from './net.ts';
import { stream } from './stream.ts';
import type { Workload } from './workload.ts';

/** Every workload by name; the only file that imports them all. */
export const workloads: Record<string, Workload> = {
  boot: boot,
  cpu: cpu,
  memory: memory,
  stream: stream,
  disk: disk,
  fs: fs,
  micro: micro,
  net: net,
  cyclictest: cyclictest,
  hackbench: hackbench,
};
