import { lstatSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '../util/errors.ts';
import { notMine, type SkippedLeftover } from '../util/not-mine.ts';

/**
 * What a build or download cut short leaves in the cache: a package, an image, a lab image or
 * an initrd is written under a `.tmp-…` name, then renamed (build.ts, deb-cache.ts, initrd.ts,
 * labs/build.ts). Such a name has no owner to ask, so it counts as left behind once it is an
 * hour old: no build of hvbench takes that long. Another user's is skipped with the reason.
 */

/** A cache temporary must be this old before it counts as left behind. */
const CACHE_TEMP_MIN_AGE_MS = 60 * 60_000;
/** `.tmp-<…>` (a folder being built) or `<file>.tmp-<12 hex digits>` (a file being written). */
const CACHE_TEMP = /^\.tmp-|\.tmp-[0-9a-f]{12}$/;
/** How deep below the cache folder temporaries are looked for (e.g. `labs/images/.tmp-…` is at 3). */
const CACHE_TEMP_DEPTH = 3;

/** Temporaries in the cache at least an hour old, sorted; changes nothing. */
export async function findCacheTemps(cacheDir: string, now = Date.now(), skipped: SkippedLeftover[] = []): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (CACHE_TEMP.test(e.name)) {
        const info = lstatSync(full, { throwIfNoEntry: false });
        if (info === undefined || now - info.mtimeMs < CACHE_TEMP_MIN_AGE_MS) continue;
        const foreign = notMine(info.uid);
        if (foreign) skipped.push({ what: `unfinished cache entry ${full}`, why: foreign });
        else found.push(full);
      } else if (e.isDirectory() && depth < CACHE_TEMP_DEPTH) {
        await walk(full, depth + 1);
      }
    }
  };
  await walk(cacheDir, 1);
  return found.sort();
}

/** Removes one temporary findCacheTemps found: what went, or why it could not. */
export async function removeCacheTemp(temp: string): Promise<{ removed?: string; problem?: string }> {
  return rm(temp, { recursive: true, force: true }).then(
    () => ({ removed: `unfinished cache entry ${temp}` }),
    (e: unknown) => ({ problem: `${temp}: ${describeError(e)}` }),
  );
}
