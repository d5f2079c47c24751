import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `$HVBENCH_CACHE`, else `$XDG_CACHE_HOME/hvbench`, else `~/.cache/hvbench`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HVBENCH_CACHE) return env.HVBENCH_CACHE;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'hvbench');
  return join(homedir(), '.cache', 'hvbench');
}

/** The guest agent shipped with hvbench: the initramfs /init. */
export function defaultAgentPath(): string {
  return fileURLToPath(new URL('./agent/init.sh', import.meta.url));
}

/** The folder of the agent's helper scripts (`<name>.sh`). */
export function defaultHelpersDir(): string {
  return fileURLToPath(new URL('./agent/', import.meta.url));
}

/** File names inside an image folder. */
export const KERNEL_FILE = 'vmlinuz';
export const INITRAMFS_FILE = 'initramfs.cpio.gz';
export const MANIFEST_FILE = 'manifest.json';
/** A segment's archive, relative to the image folder. */
export const segmentFile = (name: string) => `segments/${name}.cpio.gz`;
/** Concatenated initrds (base + segments) made on demand, by initrd hash. */
export const INITRDS_DIR = 'initrds';

/** Layout of the cache folder. */
export const cachePaths = {
  images: (cacheDir: string) => join(cacheDir, 'images'),
  image: (cacheDir: string, id: string) => join(cacheDir, 'images', id),
  /** Id of the image last built for a recipe, by recipe hash. */
  current: (cacheDir: string, recipeHash: string) => join(cacheDir, 'images', 'current', `${recipeHash}.json`),
};
