import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { HvbError } from '../util/errors.ts';
import { debFileName, downloadPackages, type PackageRef } from './apt.ts';
import { runCommand } from './command.ts';

/**
 * Downloaded .deb files and their unpacked trees, keyed by name_version_arch:
 * `<dir>/debs/<file>.deb` and `<dir>/unpacked/<file>/`. Entries are written to a
 * temporary name and renamed, so a crash never leaves a half-written entry behind.
 */
export class DebCache {
  constructor(readonly dir: string) {}

  debPath(ref: PackageRef): string {
    return join(this.dir, 'debs', debFileName(ref));
  }

  unpackedPath(ref: PackageRef): string {
    return join(this.dir, 'unpacked', debFileName(ref).replace(/\.deb$/, ''));
  }

  /** Downloads the packages not cached yet, all in one apt-get call. Returns how many it fetched. */
  async fetch(refs: readonly PackageRef[], log: (line: string) => void): Promise<number> {
    const missing: PackageRef[] = [];
    for (const ref of refs) if (!(await exists(this.debPath(ref)))) missing.push(ref);
    if (missing.length === 0) return 0;
    log(`downloading ${missing.length} package${missing.length === 1 ? '' : 's'}`);
    const debs = join(this.dir, 'debs');
    const tmp = join(debs, `.tmp-${randomBytes(6).toString('hex')}`);
    await mkdir(tmp, { recursive: true });
    try {
      await downloadPackages(missing, tmp);
      const got = new Set(await readdir(tmp));
      for (const ref of missing) {
        const file = debFileName(ref);
        if (!got.has(file)) {
          throw new HvbError('download-missing', `apt-get download did not produce ${file} for ${ref.name}=${ref.version}`, {
            hint: `apt may have picked another architecture; the files it wrote were: ${[...got].join(', ') || 'none'}`,
          });
        }
        await rename(join(tmp, file), this.debPath(ref));
      }
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return missing.length;
  }

  /** Unpacks each package with `dpkg-deb -x` unless its tree is cached. Returns how many it unpacked. */
  async unpack(refs: readonly PackageRef[], log: (line: string) => void): Promise<number> {
    const missing: PackageRef[] = [];
    for (const ref of refs) if (!(await exists(this.unpackedPath(ref)))) missing.push(ref);
    if (missing.length === 0) return 0;
    log(`unpacking ${missing.length} package${missing.length === 1 ? '' : 's'}`);
    await mkdir(join(this.dir, 'unpacked'), { recursive: true });
    // Two at a time: dpkg-deb is mostly waiting on the disk, and the kernel package alone takes seconds.
    const queue = [...missing];
    const worker = async () => {
      for (let ref = queue.shift(); ref; ref = queue.shift()) await this.unpackOne(ref);
    };
    await Promise.all([worker(), worker()]);
    return missing.length;
  }

  private async unpackOne(ref: PackageRef): Promise<void> {
    const target = this.unpackedPath(ref);
    const tmp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
    try {
      await runCommand(['dpkg-deb', '-x', this.debPath(ref), tmp], `unpacking ${ref.name}`);
      await rename(tmp, target).catch((e: NodeJS.ErrnoException) => {
        // Another build unpacked the same package meanwhile: keep theirs.
        if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
