import { randomBytes } from 'node:crypto';

/** `YYYYMMDD-HHMMSS-<suite>-<4 hex>` in UTC, e.g. `20250314-092653-quick-1f3a`. */
export function makeRunId(suite: string, at: Date = new Date(), suffix: string = randomBytes(2).toString('hex')): string {
  const iso = at.toISOString(); // 2025-03-14T09:26:53.123Z, always UTC
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${stamp}-${suite}-${suffix}`;
}

/**
 * The shape of every run id: UTC date and time, the suite name (`[a-z0-9-]`, at most 64
 * characters, as suite files allow) and 4 hex digits. Nothing else is a run id, so an id
 * read from a run folder can name a folder or a file without leaving its parent.
 */
export const RUN_ID_PATTERN = /^\d{8}-\d{6}-[a-z0-9-]{1,64}-[0-9a-f]{4}$/;

/** True for a string shaped like a run id (a bare id, not a path). */
export function isRunId(text: string): boolean {
  return RUN_ID_PATTERN.test(text);
}
