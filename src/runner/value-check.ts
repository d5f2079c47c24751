import { normaliseZero, sampleValueProblem } from '../results/value-range.ts';
import type { RepOutcome } from './repetition.ts';

/**
 * Refuses values no metric can have (results/value-range.ts) before they become samples:
 * they are dropped and the repetition fails, naming each metric and value, so the case
 * is recorded as failed with the reason and the run goes on. −0 becomes 0.
 */
export function rejectOutOfRange(outcome: RepOutcome): RepOutcome {
  const problems = outcome.values.map((v) => ({ v, problem: sampleValueProblem(v.value, v.metric) }));
  const bad = problems.filter((p) => p.problem !== undefined);
  const values = problems.filter((p) => p.problem === undefined).map(({ v }) => ({ ...v, value: normaliseZero(v.value) }));
  if (bad.length === 0) return { ...outcome, values };
  const why = `refused ${bad.length === 1 ? 'a value' : 'values'} no metric can have: ${bad.map((p) => `${p.v.metric}: ${p.problem}`).join('; ')}`;
  return {
    ...outcome,
    values,
    status: outcome.status === 'completed' ? 'failed' : outcome.status,
    error: outcome.error === undefined ? why : `${outcome.error}; ${why}`,
  };
}
