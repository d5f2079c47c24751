import { selfOwner, type Owner } from '../../network/netns-owner.ts';

/**
 * The owner mark every VMM inherits: hvbench exports `HVBENCH_OWNER=<pid>-<start time>`
 * before it starts anything, so a VMM left running after hvbench was killed names the
 * process that started it, and `clean` can tell an orphan (its owner is gone) from a VMM of
 * a live run or one hvbench never started (no mark). A backend's leftover finder reads it.
 */
export const OWNER_ENV = 'HVBENCH_OWNER';

/** Marks this process as the owner of every VMM it starts (inherited through the environment). */
export function markOwner(): void {
  const me = selfOwner();
  process.env[OWNER_ENV] = `${me.pid}-${me.start}`;
}

/** The owner a mark's value names (`<pid>-<start time>`), or undefined for anything else. */
export function parseOwnerMark(value: string | undefined): Owner | undefined {
  const m = /^(\d{1,10})-(\d{1,20})$/.exec(value ?? '');
  return m ? { pid: Number(m[1]), start: Number(m[2]) } : undefined;
}

/** The owner named in a process environment (`/proc/<pid>/environ`: NUL-separated `NAME=value`), or undefined. */
export function ownerInEnviron(environ: string): Owner | undefined {
  const entry = environ.split('\0').find((e) => e.startsWith(`${OWNER_ENV}=`));
  return parseOwnerMark(entry?.slice(OWNER_ENV.length + 1));
}
