/**
 * One error class for every failure hvbench explains to its user.
 * `code` is stable (tests and scripts match on it); `hint` says how to fix it.
 */
export class HvbError extends Error {
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HvbError';
    this.code = code;
    this.hint = options.hint;
  }
}

export function isHvbError(e: unknown): e is HvbError {
  return e instanceof HvbError;
}

/** A message for any thrown value, without a stack trace. */
export function describeError(e: unknown): string {
  if (e instanceof HvbError) return e.hint ? `${e.message}\n  hint: ${e.hint}` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}
