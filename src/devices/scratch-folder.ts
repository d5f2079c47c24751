import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { Host } from '../hosts/host.ts';
import { execSetup } from '../hosts/remote-retry.ts';
import { HvbError } from '../util/errors.ts';

/**
 * Folders tried, in this order, when a remote host's scratch folder (its temporary folder)
 * refuses O_DIRECT: `/var/tmp` (on a disk where `/tmp` is tmpfs, on most systems), then the
 * ssh user's home folder.
 */
export const DIRECT_IO_CANDIDATES = ['/var/tmp', '$HOME'] as const;

export interface ScratchFolderChoice {
  /** Whether the disk's folder takes O_DIRECT opens (QEMU's cache=none). */
  directIo: boolean;
  /** A private folder made for this disk under a candidate; remove it with the disk. Absent: use the given folder. */
  privateFolder?: string;
}

/** Per host, per scratch folder: the folder found to take O_DIRECT (itself or a candidate), or null. */
const probed = new WeakMap<Pick<Host, 'exec'>, Map<string, Promise<string | null>>>();

/**
 * Where a scratch disk for `dir` goes on `host`: `dir` itself when it takes O_DIRECT, else a
 * private folder under the first candidate that does, else `dir` (with `directIo: false`).
 * The folders are probed once per host and folder, by writing one 4 KiB block with
 * `dd oflag=direct` (coreutils and busybox both have it) and removing it.
 */
export async function scratchFolder(host: Host, dir: string): Promise<ScratchFolderChoice> {
  let perHost = probed.get(host);
  if (!perHost) probed.set(host, (perHost = new Map()));
  let found = perHost.get(dir);
  if (!found) {
    found = findDirectIoFolder(host, dir);
    perHost.set(dir, found);
    // A probe that failed outright is tried again next time.
    found.catch(() => perHost.delete(dir));
  }
  const folder = await found;
  if (folder === null) return { directIo: false };
  if (folder === dir) return { directIo: true };
  const privateFolder = posix.join(folder, `hvbench-scratch-${randomBytes(6).toString('hex')}`);
  // -p: a retried mkdir finds its own folder made; the name is random, so never another's.
  const made = await execSetup(host, ['mkdir', '-p', '-m', '700', privateFolder]);
  if (made.exitCode !== 0)
    throw new HvbError('scratch-disk', `cannot create the scratch folder ${privateFolder}: ${made.stderr.trim() || `exit code ${made.exitCode}`}`);
  return { directIo: true, privateFolder };
}

async function findDirectIoFolder(host: Host, dir: string): Promise<string | null> {
  if (await takesDirectIo(host, dir)) return dir;
  for (const candidate of DIRECT_IO_CANDIDATES) {
    const folder = candidate === '$HOME' ? await homeFolder(host) : candidate;
    if (folder === undefined || folder === dir) continue;
    if (await takesDirectIo(host, folder)) return folder;
  }
  return null;
}

/** Whether a file in `folder` can be written with O_DIRECT (false also when the folder is missing or not writable). */
export async function takesDirectIo(host: Host, folder: string): Promise<boolean> {
  const probe = posix.join(folder, `.hvbench-odirect-${randomBytes(6).toString('hex')}`);
  const written = await execSetup(host, ['dd', 'if=/dev/zero', `of=${probe}`, 'bs=4096', 'count=1', 'oflag=direct']);
  await execSetup(host, ['rm', '-f', '--', probe]);
  return written.exitCode === 0;
}

async function homeFolder(host: Host): Promise<string | undefined> {
  const env = await execSetup(host, ['env']);
  const home = /^HOME=(\/.*)$/m.exec(env.stdout)?.[1]?.trim();
  return home && home !== '/' ? home : undefined;
}
