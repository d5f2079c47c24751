import { constants } from 'node:os';
import type { ExecResult } from './host.ts';

/** Exit codes a shell would report; remote hosts (ssh + sh) report the same ones. */
export const EXIT_NOT_FOUND = 127;
export const EXIT_NOT_EXECUTABLE = 126;
export const EXIT_TIMED_OUT = 124;

/** The parts of an execa result (or of the error it resolves with under `reject: false`). */
export interface ExecaOutcome {
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  code?: string;
  originalMessage?: string;
  stdout: unknown;
  stderr: unknown;
}

/**
 * Turns an execa outcome into the Host contract: always an exit code, never a throw.
 * A program that could not start reports 127 (not found) or 126, a timeout 124 and a
 * signal 128 + its number, like a shell; the reason is appended to stderr.
 */
export function toExecResult(outcome: ExecaOutcome, timeoutMs?: number): ExecResult {
  const stdout = asText(outcome.stdout);
  let stderr = asText(outcome.stderr);
  let exitCode = outcome.exitCode;
  if (outcome.timedOut) {
    exitCode = EXIT_TIMED_OUT;
    stderr = appendLine(stderr, `timed out after ${timeoutMs ?? '?'} ms`);
  } else if (exitCode === undefined && outcome.signal !== undefined) {
    const number = constants.signals[outcome.signal as keyof typeof constants.signals];
    exitCode = 128 + (number ?? 0);
    stderr = appendLine(stderr, `killed by ${outcome.signal}`);
  } else if (exitCode === undefined) {
    exitCode = outcome.code === 'ENOENT' ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
    stderr = appendLine(stderr, outcome.originalMessage ?? `could not start (${outcome.code ?? 'unknown error'})`);
  }
  return { exitCode, stdout, stderr };
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return '';
}

function appendLine(text: string, line: string): string {
  if (text === '' || text.endsWith('\n')) return `${text}${line}\n`;
  return `${text}\n${line}\n`;
}
