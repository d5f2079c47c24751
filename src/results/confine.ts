import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { HvbError } from '../util/errors.ts';

/**
 * A run folder is untrusted input (it is copied around, downloaded from CI, received from
 * colleagues): the schema keeps the names run.json gives to plain names inside the folder
 * (validate.ts), and this checks the files themselves, so that nothing hvbench reads or
 * writes through a run folder is outside it.
 */

/** True when `inner` is `outer` or lies below it (both absolute, normalised). */
export function isInside(outer: string, inner: string): boolean {
  const rel = path.relative(outer, inner);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * Checks that `rel` (a name from run.json, e.g. `samples.jsonl`) in the run folder `dir`
 * is not a link to a file outside the folder and, when it exists, is a regular file.
 * `field` names the run.json field in the error. A missing file passes (callers decide).
 */
export async function checkRunFile(dir: string, rel: string, field: string): Promise<void> {
  const file = path.join(dir, rel);
  const info = await lstat(file).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
  if (!info) return;
  if (info.isSymbolicLink()) {
    const [target, root] = await Promise.all([realpath(file).catch(() => undefined), realpath(dir)]);
    if (target === undefined || !isInside(root, target)) {
      throw new HvbError('run-invalid', `${file}: ${field} is a symbolic link to ${target ?? 'a missing file'}, outside the run folder ${dir}; refused`, {
        hint: 'A run folder must hold its own files; copy the run with `cp -rL`, or remove the link.',
      });
    }
    return;
  }
  if (!info.isFile()) throw new HvbError('run-invalid', `${file}: ${field} is not a regular file`, { hint: 'The run folder was changed by hand.' });
}

/**
 * Checks that the folder `rel` of a run folder (e.g. `logs`), when present, is a real folder
 * and not a link: hvbench writes into it, and a link would take those writes elsewhere.
 */
export async function checkRunSubfolder(dir: string, rel: string): Promise<void> {
  const sub = path.join(dir, rel);
  const info = await lstat(sub).catch(() => undefined);
  if (!info) return;
  if (info.isSymbolicLink() || !info.isDirectory()) {
    throw new HvbError(
      'run-invalid',
      `${sub}: expected the run's own ${rel}/ folder, found ${info.isSymbolicLink() ? 'a symbolic link' : 'something else'}; refused, hvbench writes there`,
      {
        hint: 'Remove it, or copy the run with `cp -rL`.',
      },
    );
  }
}

/** Refuses a run folder that is itself a symbolic link (for commands that write into it). */
export async function checkRealFolder(dir: string, what: string): Promise<void> {
  const info = await lstat(dir.replace(/\/+$/, '') || '/').catch(() => undefined);
  if (info?.isSymbolicLink()) {
    throw new HvbError('run-invalid', `${dir}: ${what} is a symbolic link; refused, hvbench does not write through links`, {
      hint: `Give the folder it points to (${await realpath(dir).catch(() => 'missing')}) instead.`,
    });
  }
}
