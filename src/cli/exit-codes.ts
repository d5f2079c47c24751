import { CommanderError } from 'commander';
import { HvbError } from '../util/errors.ts';

/** Exit codes: 0 success, 1 a run or check failed, 2 bad input (usage, suite file, arguments, results folders), 130 interrupted. */
export const EXIT_FAILURE = 1;
export const EXIT_BAD_INPUT = 2;

/** HvbError codes that mean the input was bad (exit 2) rather than that something failed (exit 1). */
export const BAD_INPUT_CODES: ReadonlySet<string> = new Set([
  'usage',
  'unknown-backend',
  'suite-invalid',
  'suite-not-found',
  'suite-import',
  'suite-no-export',
  'run-not-found',
  'run-invalid',
  'samples-invalid',
  'resume-mismatch',
  'merge-mismatch',
  'hosts-file',
]);

/** The exit code for an error a command threw. */
export function exitCodeOf(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
  return e instanceof HvbError && BAD_INPUT_CODES.has(e.code) ? EXIT_BAD_INPUT : EXIT_FAILURE;
}
