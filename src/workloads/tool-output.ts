import { HvbError } from '../util/errors.ts';
import type { StepOutput } from './workload.ts';

/** The output of step `id`: a guest that sent none for it failed the job's parse. */
export function stepOutput(outputs: readonly StepOutput[], id: string): StepOutput {
  const out = outputs.find((o) => o.id === id);
  if (!out) throw new HvbError('parse', `the guest returned no output for step "${id}"`);
  return out;
}

/** The hint of a parse failure: where the tool's whole output is kept, and how it begins. */
export function toolOutputHint(output: string, log = 'repetition log'): string {
  return `the tool's output is kept in the ${log}; first lines: ${JSON.stringify(output.slice(0, 200))}`;
}

/**
 * The number the first group of `pattern` captures in a tool's output. When it does not
 * match, a parse failure that says `problem` and shows the output's first lines.
 */
export function numberIn(output: string, pattern: RegExp, problem: string, log?: string): number {
  const m = pattern.exec(output);
  if (!m?.[1]) throw new HvbError('parse', problem, { hint: toolOutputHint(output, log) });
  return Number(m[1]);
}
