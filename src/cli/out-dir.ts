import { constants } from 'node:fs';
import { access, lstat, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { HvbError } from '../util/errors.ts';

/**
 * Checks of an output path given on the command line (`run --out`, `report --out`,
 * `export --out`), done before anything is created: each bad path is a usage error
 * (exit 2) that names the option, the path and what is wrong with it.
 */

/** Kernel file systems: nothing hvbench writes belongs there, and Node's recursive mkdir hangs under /proc. */
const KERNEL_FOLDERS = ['/proc', '/sys', '/dev'];

function kernelFolder(abs: string): string | undefined {
  return KERNEL_FOLDERS.find((k) => abs === k || abs.startsWith(`${k}/`));
}

const bad = (flag: string, given: string, what: string, hint?: string) =>
  new HvbError('usage', `${flag} ${given}: ${what}`, { hint: hint ?? 'Choose a folder of your own, e.g. results.' });

/** The path itself, or its nearest ancestor that exists, with what lstat says of it. */
async function nearestExisting(abs: string): Promise<{ at: string; info: Awaited<ReturnType<typeof stat>> }> {
  for (let at = abs; ; at = path.dirname(at)) {
    const info = await stat(at).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' || e.code === 'ENOTDIR' ? undefined : Promise.reject(e)));
    if (info) return { at, info };
    if (at === path.dirname(at)) throw new Error(`no folder of ${abs} exists`);
  }
}

/** Why `target` (an existing folder, or file) cannot be written: read-only, or not permitted. */
async function notWritable(target: string, kind: 'folder' | 'file' = 'folder'): Promise<string | undefined> {
  const dir = target;
  try {
    await access(target, kind === 'folder' ? constants.W_OK | constants.X_OK : constants.W_OK);
    return undefined;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EROFS') return `${dir} is on a read-only file system`;
    if (code === 'EACCES' || code === 'EPERM') return `${dir} is read-only for this user (permission denied)`;
    return `${dir} cannot be written (${code ?? (e as Error).message})`;
  }
}

async function checkPlace(flag: string, given: string, abs: string): Promise<{ exists: boolean; isDir: boolean }> {
  const kernel = kernelFolder(abs);
  if (kernel) return Promise.reject(bad(flag, given, `is under ${kernel}, a kernel file system; hvbench writes no results there`));
  let found: Awaited<ReturnType<typeof nearestExisting>>;
  try {
    found = await nearestExisting(abs);
  } catch (e) {
    throw bad(flag, given, `cannot be checked: ${(e as Error).message}`);
  }
  // A link to a kernel folder (e.g. a symlink to /proc/self) is refused like the folder itself.
  const real = await realpath(found.at).catch(() => found.at);
  const kernelReal = kernelFolder(real);
  if (kernelReal) throw bad(flag, given, `leads to ${real}, under ${kernelReal}, a kernel file system; hvbench writes no results there`);
  const exists = found.at === abs;
  if (!found.info.isDirectory()) {
    if (exists) return { exists, isDir: false };
    throw bad(flag, given, `${found.at} is a file, not a folder, so nothing can be created below it`);
  }
  const why = await notWritable(found.at);
  if (why) throw bad(flag, given, `cannot create or write files there: ${why}`, 'Choose a writable folder, or fix its permissions or mount.');
  return { exists, isDir: true };
}

/**
 * A folder hvbench is to create (when missing) and write into. Refused: a path under
 * /proc, /sys or /dev (also through a link), an existing file, a folder that is read-only
 * (read-only mount or permissions), a path below a file. `noLinksInside` also refuses a
 * folder holding symbolic links: hvbench would write through them (report folders).
 */
export async function checkOutDir(given: string, options: { flag?: string; noLinksInside?: boolean } = {}): Promise<string> {
  const flag = options.flag ?? '--out';
  if (given.trim() === '') throw bad(flag, JSON.stringify(given), 'expected a folder, received an empty path');
  const abs = path.resolve(given);
  const link = await lstat(abs).catch(() => undefined);
  if (link?.isSymbolicLink() && !(await stat(abs).catch(() => undefined)))
    throw bad(flag, given, 'is a symbolic link to nothing (its target is missing)', 'Give an existing folder, or a new name.');
  const { exists, isDir } = await checkPlace(flag, given, abs);
  if (exists && !isDir) throw bad(flag, given, 'is a file; expected a folder (existing or to be created)');
  if (exists && options.noLinksInside) {
    for (const name of await readdir(abs)) {
      if ((await lstat(path.join(abs, name)).catch(() => undefined))?.isSymbolicLink()) {
        throw bad(flag, given, `holds a symbolic link (${name}); refused, hvbench does not write through links`, 'Give a new folder, or remove the link.');
      }
    }
  }
  return abs;
}

/**
 * A file hvbench is to write (created or replaced). Refused: a path under /proc, /sys or
 * /dev, a folder, a link, a file in a missing or read-only folder.
 */
export async function checkOutFile(given: string, options: { flag?: string } = {}): Promise<string> {
  const flag = options.flag ?? '--out';
  if (given.trim() === '') throw bad(flag, JSON.stringify(given), 'expected a file, received an empty path');
  const abs = path.resolve(given);
  const kernel = kernelFolder(abs);
  if (kernel) throw bad(flag, given, `is under ${kernel}, a kernel file system; hvbench writes no files there`, 'Give a file of your own, e.g. run.csv.');
  const info = await lstat(abs).catch(() => undefined);
  if (info?.isDirectory()) throw bad(flag, given, 'is a folder; expected a file name', 'Give a file name, e.g. run.csv.');
  if (info?.isSymbolicLink())
    throw bad(flag, given, 'is a symbolic link; refused, hvbench does not write through links', 'Give the file it points to, or a new name.');
  if (info && !info.isFile()) throw bad(flag, given, 'is not a regular file', 'Give a file name, e.g. run.csv.');
  if (info) {
    const why = await notWritable(abs, 'file');
    if (why) throw bad(flag, given, `cannot be replaced: ${why}`, 'Give another file name, or fix its permissions.');
  }
  const parent = path.dirname(abs);
  const dir = await stat(parent).catch(() => undefined);
  if (!dir?.isDirectory()) throw bad(flag, given, `${parent} is ${dir ? 'not a folder' : 'missing'}`, 'Create the folder first, or give another file.');
  const real = await realpath(parent);
  const kernelReal = kernelFolder(real);
  if (kernelReal) throw bad(flag, given, `leads to ${real}, under ${kernelReal}, a kernel file system`, 'Give a file of your own, e.g. run.csv.');
  const why = await notWritable(parent);
  if (why) throw bad(flag, given, `cannot write there: ${why}`, 'Choose a writable folder, or fix its permissions or mount.');
  return abs;
}
