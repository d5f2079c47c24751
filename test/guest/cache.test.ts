import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultCacheDir } from '../../src/guest/cache.ts';

describe('default cache folder', () => {
  it('prefers $HVBENCH_CACHE, then $XDG_CACHE_HOME/hvbench, then ~/.cache/hvbench', () => {
    expect(defaultCacheDir({ HVBENCH_CACHE: '/c/hvb', XDG_CACHE_HOME: '/x' })).toBe('/c/hvb');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/hvbench');
    expect(defaultCacheDir({})).toBe(join(homedir(), '.cache', 'hvbench'));
  });
});
