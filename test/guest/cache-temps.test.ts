import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findCacheTemps, removeCacheTemp } from '../../src/guest/cache-temps.ts';
import type { SkippedLeftover } from '../../src/util/not-mine.ts';

describe('cache temporaries', () => {
  let cache: string;
  beforeEach(async () => {
    cache = await mkdtemp(join(tmpdir(), 'hvb-cache-temps-'));
  });
  afterEach(async () => {
    await rm(cache, { recursive: true, force: true });
  });

  const age = async (p: string, ms: number) => {
    const when = new Date(Date.now() - ms);
    await utimes(p, when, when);
  };

  it('finds .tmp- names an hour old up to three levels down; fresh, finished, deeper ones stay', async () => {
    const folder = join(cache, 'images', '.tmp-47c11edb5ed7c775-aabbccddeeff');
    const file = join(cache, 'debs', 'fio_3.33-3_amd64.deb.tmp-0123456789ab');
    const fresh = join(cache, 'labs', 'images', '.tmp-a3c4a5ffc2e47485-0f1e2d3c4b5a');
    const deep = join(cache, 'a', 'b', 'c', '.tmp-0123');
    const finished = join(cache, 'debs', 'fio_3.33-3_amd64.deb');
    const notHex = join(cache, 'debs', 'notes.tmp-draft');
    for (const d of [folder, fresh, deep, join(cache, 'debs')]) await mkdir(d, { recursive: true });
    for (const f of [file, finished, notHex]) await writeFile(f, 'x');
    for (const p of [folder, file, deep, finished, notHex]) await age(p, 2 * 3600_000);
    await age(fresh, 30 * 60_000);
    expect(await findCacheTemps(cache)).toEqual([file, folder]);
    expect(await findCacheTemps(join(cache, 'missing'))).toEqual([]);
  });

  it("skips another user's, saying whose", async () => {
    const other = join(cache, '.tmp-0000-111111111111');
    await mkdir(other);
    await chown(other, 65534, 65534).catch(() => undefined);
    await age(other, 2 * 3600_000);
    const skipped: SkippedLeftover[] = [];
    const found = await findCacheTemps(cache, Date.now(), skipped);
    if (process.getuid?.() === 0) {
      expect(found).toEqual([]);
      expect(skipped).toEqual([{ what: `unfinished cache entry ${other}`, why: 'belongs to user 65534, not to the user running hvbench (0)' }]);
    } else {
      expect(found).toEqual([other]); // not root: chown could not give it away
    }
  });

  it('removes one, saying so', async () => {
    const temp = join(cache, '.tmp-0000-222222222222');
    await mkdir(temp);
    expect(await removeCacheTemp(temp)).toEqual({ removed: `unfinished cache entry ${temp}` });
    expect(existsSync(temp)).toBe(false);
  });
});
