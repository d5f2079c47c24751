/**
 * Whether a leftover is ours to remove. `doctor` and `clean` touch only what carries
 * hvbench's mark and belongs to the user running hvbench: what carries the mark but belongs
 * to another user is listed with the reason instead (a SkippedLeftover), and never touched.
 */

/** Something that looks like hvbench's but is left alone, and why. */
export interface SkippedLeftover {
  what: string;
  why: string;
}

/** The user running hvbench (undefined where the platform has no uids). */
export const myUid = (): number | undefined => process.getuid?.();

/** Why a file or process of user `uid` is not ours to remove, or undefined when it is. */
export function notMine(uid: number): string | undefined {
  const me = myUid();
  return me === undefined || uid === me ? undefined : `belongs to user ${uid}, not to the user running hvbench (${me})`;
}
