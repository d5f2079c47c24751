import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { HvbError } from '../util/errors.ts';
import { isElf, readDynamicInfo } from './elf.ts';
import type { PackageTree } from './tree.ts';

/** Directories the guest's loader searches without an ld.so.cache (Debian's multiarch layout). */
export const LIBRARY_DIRS = ['/lib/x86_64-linux-gnu', '/usr/lib/x86_64-linux-gnu', '/lib', '/usr/lib'];

/** The amd64 dynamic loader, at the path every binary's PT_INTERP names. */
export const DYNAMIC_LOADER = '/lib64/ld-linux-x86-64.so.2';

/**
 * Every path the given programs need at run time: the programs, the closure of their shared
 * libraries (DT_NEEDED, searched in DT_RUNPATH/DT_RPATH and LIBRARY_DIRS), the loader, the
 * always-needed libraries, and each symlink passed on the way to a real file.
 * A library that no package provides is an error naming the file that needs it.
 */
export async function libraryClosure(tree: PackageTree, programs: readonly string[], alwaysLibs: readonly string[]): Promise<string[]> {
  const paths = new Set<string>();
  const queue: string[] = [];
  const seen = new Set<string>();

  const include = (path: string, neededBy: string): string => {
    const found = tree.resolve(path);
    if (found?.node.kind !== 'file') {
      throw new HvbError('file-missing', `${neededBy} needs ${path}, which no package in the image provides as a file`, {
        hint: 'check the path against the package contents (dpkg-deb -c)',
      });
    }
    for (const link of found.links) paths.add(link);
    paths.add(found.path);
    if (!seen.has(found.path)) {
      seen.add(found.path);
      queue.push(found.path);
    }
    return found.path;
  };

  const findLibrary = (soname: string, searchDirs: string[]): string | undefined => {
    if (soname.includes('/')) return soname;
    for (const dir of [...searchDirs, ...LIBRARY_DIRS]) {
      const candidate = posix.join(dir, soname);
      const found = tree.resolve(candidate);
      if (found?.node.kind === 'file') return candidate;
    }
    return undefined;
  };

  for (const program of programs) include(program, 'the guest recipe');
  include(DYNAMIC_LOADER, 'every dynamically linked program');
  for (const soname of alwaysLibs) {
    const path = findLibrary(soname, []);
    if (!path) throw missingSoname('the guest recipe (always included)', soname);
    include(path, 'the guest recipe');
  }

  while (queue.length > 0) {
    const path = queue.shift() as string;
    const node = tree.get(path);
    if (node?.kind !== 'file') continue;
    const buf = await readFile(node.source);
    if (!isElf(buf)) continue;
    const info = readDynamicInfo(buf, path);
    if (info.interpreter) include(info.interpreter, path);
    const origin = posix.dirname(path);
    const expand = (dir: string) => dir.replaceAll('${ORIGIN}', origin).replaceAll('$ORIGIN', origin);
    // The loader ignores DT_RPATH when DT_RUNPATH is present.
    const searchDirs = (info.runpath.length > 0 ? info.runpath : info.rpath).map(expand);
    for (const soname of info.needed) {
      const lib = findLibrary(soname, searchDirs);
      if (!lib) throw missingSoname(path, soname);
      include(lib, path);
    }
  }
  return [...paths].sort();
}

function missingSoname(binary: string, soname: string): HvbError {
  return new HvbError('soname-missing', `${binary} needs the shared library ${soname}, which no package in the image provides`, {
    hint: "add the Debian package that ships it to the recipe's base list",
  });
}
