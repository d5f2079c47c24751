import { z } from 'zod';
import { initrdFor } from '../guest/initrd.ts';
import type { Workload } from '../workloads/workload.ts';
import type { RepetitionInput } from './repetition.ts';

/**
 * The noisy neighbour of a density case (`neighbour: 'stress'`): guest 0 boots like the
 * others, waits at the same start barrier, and then runs stress-ng's CPU stressor, one worker
 * per vCPU, for a little longer than the measured guests' job is expected to take, so that
 * they are measured under its load from start to end. It reports no metric; its repetition
 * must still complete (a neighbour that fails fails the repetition).
 */

/** Seconds the load outlasts the measured job's expected time: the guests' steps start within milliseconds, but end at their own pace. */
const OUTLAST_S = 3;

/** A job of one step: `stress-ng --cpu <vcpus> --timeout <s>s`. */
export function neighbourWorkload(seconds: number, vcpus: number): Workload {
  const timeout = Math.ceil(seconds) + OUTLAST_S;
  return {
    name: 'neighbour',
    description: 'stress-ng CPU load beside the measured guests of a density case',
    params: z.object({}),
    tools: ['stress-ng'],
    metrics: [],
    expectedSeconds: () => timeout,
    command: () => ({ steps: [{ id: 'stress', argv: ['stress-ng', '--cpu', String(vcpus), '--timeout', `${timeout}s`] }] }),
    parse: () => [],
  };
}

/** What guest 0 of a case with a neighbour runs instead of the workload: the load, with the initrd that holds stress-ng. */
export async function neighbourInput(input: RepetitionInput, measuredSeconds: number): Promise<Partial<RepetitionInput>> {
  const workload = neighbourWorkload(measuredSeconds, input.vcpus);
  const initrd = await initrdFor(input.image, workload.tools ?? []);
  return {
    workload,
    params: {},
    setup: { initrd, disks: [], nics: [], probe: [], modules: [], context: {} },
  };
}
