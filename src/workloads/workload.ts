import type { z } from 'zod';
import type { Better } from '../results/sample.ts';

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

// Parameters are checked by each workload's own schema; `any` here only lets a registry hold them all.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface Workload<S extends z.ZodType = z.ZodType<any>> {
  name: string;
  description: string;
  /** Schema of this workload's parameters; every field has a default. */
  params: S;
  metrics: MetricDef[];
  /** Seconds the guest needs for this job beyond booting, used to size timeouts. */
  expectedSeconds(params: z.output<S>): number;
  command(params: z.output<S>): GuestCommand;
  /** Parses the real tool output. Throws HvbError('parse', …) when it does not match. */
  parse(outputs: StepOutput[], params: z.output<S>): MetricValue[];
}
