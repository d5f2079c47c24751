import type { z } from 'zod';
import type { DeviceNeeds } from '../devices/models.ts';
import type { Better } from '../results/sample.ts';
import type { NetEndpoint } from './net-endpoint.ts';

/** What a workload reports: one entry per metric it can produce. */
export interface MetricDef {
  /** Metric name, unit-free, dotted by family: `cpu.events_per_s`. */
  name: string;
  unit: string;
  better: Better;
  description: string;
}

/**
 * One command the guest agent runs. Each argv word is passed to the guest on the kernel
 * command line, so words are limited to a safe character set (see guest/protocol/job.ts)
 * and are never evaluated by a shell in the guest.
 */
export interface GuestStep {
  id: string;
  argv: string[];
}

export interface GuestCommand {
  steps: GuestStep[];
  /** Kernel modules (by name) the agent loads before the first step. */
  modules?: string[];
}

/** What the guest sent back for one step. */
export interface StepOutput {
  id: string;
  exitCode: number;
  output: string;
  elapsedMs: number;
}

/** A parsed value, before the runner attaches unit, direction and dimensions. */
export interface MetricValue {
  metric: string;
  value: number;
}

/** What the runner knows about a case when it asks a workload for its guest command. */
export interface WorkloadContext {
  /** The network the runner opened for a case with a NIC: where the guest's peers are. */
  net?: NetEndpoint;
  /** The host folder the case shares and how (`virtiofs`, `9p`, `block`, native's `host-dir`), with the tag the guest mounts. */
  share?: { model: string; tag?: string };
}

/**
 * Which metric is a step's throughput, so the events counted around that step (run
 * --count-events) can be set against the work done in it: per second of work, per operation.
 */
export interface StepWork {
  /** The step's id (GuestStep.id), as in `events.<step>.…`. */
  step: string;
  /** The workload's metric that measures the step's work, from the same repetition. */
  metric: string;
  /**
   * When the step's work is a count of operations: `rate` (the metric is operations per second:
   * IOPS, events/s) or `mean-us` (the metric is one operation's mean time in µs, one at a time,
   * like a ping-pong's round trip: its operations per second are 10⁶ / it). Absent: the work
   * is a volume (MiB/s, Gbit/s) and no count per operation is made.
   */
  ops?: 'rate' | 'mean-us';
}

/** The VMM's host-side cost of the job alone: from the agent's `ready` to the guest's power-off. */
export interface JobCost {
  vmmCpuS: number;
}

/** One benchmark. The default `S` lets a registry hold them all; each checks its parameters with its own schema. */
export interface Workload<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  /** Schema of this workload's parameters; every field has a default. */
  params: S;
  metrics: MetricDef[];
  /**
   * Guest commands beyond the base image that the job runs (e.g. `fio`): the runner boots
   * the base initramfs plus the segments that hold them. Default: none.
   */
  tools?: readonly string[];
  /** Devices the case needs (a scratch disk, a NIC), from its parameters. Default: none. */
  devices?(params: z.output<S>): DeviceNeeds;
  /** Seconds the guest needs for this job beyond booting, used to size timeouts. */
  expectedSeconds(params: z.output<S>): number;
  command(params: z.output<S>, context?: WorkloadContext): GuestCommand;
  /** Parses the real tool output. Throws HvbError('parse', …) when it does not match. */
  parse(outputs: StepOutput[], params: z.output<S>): MetricValue[];
  /**
   * Efficiency figures from the VMM's cost of the job (e.g. CPU seconds per GiB moved),
   * computed after parse() succeeded. Their metrics must be in `metrics`. Default: none.
   */
  hostCost?(outputs: StepOutput[], cost: JobCost, params: z.output<S>): MetricValue[];
  /** Each measured step's throughput (see StepWork). Default: none (e.g. micro, whose steps are their own unit costs). */
  stepWork?(params: z.output<S>): StepWork[];
  /**
   * Dimensions the job observed in the guest (e.g. how many queues the guest's NIC uses),
   * for every sample of the repetition; names from src/dims/catalogue.ts. Throws
   * HvbError('parse', …) when the output does not say. Default: none.
   */
  observedDims?(outputs: StepOutput[], params: z.output<S>): Record<string, string | number | boolean>;
  /**
   * Parameter values this guest cannot honour (e.g. more NIC queues than vCPUs): one problem
   * per parameter, refused when the suite is read. Default: none.
   */
  guestProblems?(params: z.output<S>, guest: { vcpus: number; memoryMiB: number }): { param: string; message: string }[];
}
