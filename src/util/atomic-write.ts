import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** The temporary file a write of `file` goes through: beside it, named for this process. */
function tempFileFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Whether `name`, in the folder of `file`, is a temporary file of a write of `file` by this process. */
export function isOwnTempFileOf(name: string, file: string): boolean {
  return name.startsWith(`.${path.basename(file)}.${process.pid}.`) && name.endsWith('.tmp');
}

/**
 * Replaces a file so that readers, and a crash at any moment, see either the old
 * content or the new one, never a mix: write a temporary file beside it, fsync it,
 * rename it over the target, then fsync the folder so the rename itself is durable.
 */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const dir = path.dirname(file);
  const tmp = tempFileFor(file);
  try {
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  await syncDir(dir);
}

/**
 * writeFileAtomic without the event loop, for the last moment of a process
 * (`process.on('exit')`), where nothing asynchronous runs any more.
 */
export function writeFileAtomicSync(file: string, data: string): void {
  const dir = path.dirname(file);
  const tmp = tempFileFor(file);
  try {
    const fd = openSync(tmp, 'wx');
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // As syncDir: some file systems refuse fsync on a folder.
  }
}

/** fsync a folder (where the platform allows it) so new names in it survive a crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a folder; the data itself is already synced.
  } finally {
    await handle.close();
  }
}
