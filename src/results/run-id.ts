import { randomBytes } from 'node:crypto';

/** `YYYYMMDD-HHMMSS-<suite>-<4 hex>` in UTC, e.g. `20250314-092653-quick-1f3a`. */
export function makeRunId(suite: string, at: Date = new Date(), suffix: string = randomBytes(2).toString('hex')): string {
  const iso = at.toISOString(); // 2025-03-14T09:26:53.123Z, always UTC
  const stamp = `${iso.slice(0, 10).replaceAll('-', '')}-${iso.slice(11, 19).replaceAll(':', '')}`;
  return `${stamp}-${suite}-${suffix}`;
}

/** True for a string shaped like a run id (a bare id, not a path). */
export function isRunId(text: string): boolean {
  return /^\d{8}-\d{6}-[a-z0-9-]+-[0-9a-f]{4}$/.test(text);
}
