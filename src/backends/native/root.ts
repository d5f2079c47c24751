import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readCpioMembers } from '../../guest/cpio-read.ts';
import { HvbError } from '../../util/errors.ts';

/**
 * The guest image's root on the host: its initramfs unpacked once into
 * `<cacheDir>/native/<sha256 prefix>/`, keyed by the initramfs bytes, so the native
 * backend runs exactly the binaries the guests run. A root appears atomically (unpacked
 * into a temporary folder, then renamed), so a folder that exists is complete.
 * Device nodes are not created (the agent mounts devtmpfs on /dev).
 */

export interface NativeRoot {
  dir: string;
  /** sha256 of the initramfs file it was unpacked from. */
  sha256: string;
}

const hashes = new Map<string, string>();

export async function nativeRoot(initramfs: string, cacheDir: string): Promise<NativeRoot> {
  const sha256 = await fileHash(initramfs);
  const base = join(cacheDir, 'native');
  const dir = join(base, sha256.slice(0, 16));
  if ((await stat(dir).catch(() => undefined))?.isDirectory()) return { dir, sha256 };
  await mkdir(base, { recursive: true });
  const tmp = join(base, `.tmp-${sha256.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
  try {
    await unpack(await readFile(initramfs), tmp, initramfs);
    await rename(tmp, dir).catch((e: NodeJS.ErrnoException) => {
      // Another process unpacked the same bytes first: keep theirs.
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { dir, sha256 };
}

/**
 * Unpacks newc cpio archives (gzip-compressed or plain, possibly several concatenated)
 * into `dir`, which must not exist.
 */
export async function unpack(archive: Buffer, dir: string, what: string): Promise<void> {
  const cpio = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  const members = readCpioMembers(cpio, what);
  await mkdir(dir, { mode: 0o755 });
  // Only folders made here may hold members: a member can never be written through a symlink.
  const dirs = new Set<string>(['']);
  /** Paths holding a file or symlink (a later archive may replace them). */
  const taken = new Set<string>();
  const ensureParent = async (name: string) => {
    const parent = posix.dirname(name) === '.' ? '' : posix.dirname(name);
    if (dirs.has(parent)) return;
    if (taken.has(parent)) throw new HvbError('cpio-invalid', `${what}: ${name} lies under ${parent}, which is not a folder in the archive`);
    await ensureParent(parent);
    await mkdir(join(dir, parent), { mode: 0o755 });
    dirs.add(parent);
  };
  for (const m of members) {
    await ensureParent(m.name);
    const target = join(dir, m.name);
    // Later archives (segments) override earlier ones, as when the kernel unpacks them.
    if (dirs.has(m.name) !== (m.kind === 'dir') && (dirs.has(m.name) || taken.has(m.name))) {
      throw new HvbError(
        'cpio-invalid',
        `${what}: ${m.name} is ${m.kind === 'dir' ? 'a folder' : `a ${m.kind}`} in one archive and ${m.kind === 'dir' ? 'a file' : 'a folder'} in another`,
      );
    }
    if (m.kind === 'dir') {
      if (!dirs.has(m.name)) await mkdir(target);
      await chmod(target, m.perm);
      dirs.add(m.name);
      continue;
    }
    if (taken.has(m.name)) await rm(target);
    taken.add(m.name);
    if (m.kind === 'file') {
      if (m.nlink > 1) throw new HvbError('cpio-invalid', `${what}: ${m.name} is a hard link (nlink ${m.nlink}); hard links are not supported`);
      await writeFile(target, m.data, { flag: 'wx' });
      await chmod(target, m.perm);
    } else if (m.kind === 'symlink') {
      await symlink(m.data.toString('utf8'), target);
    }
    // Device nodes, fifos and sockets are left out: the agent mounts devtmpfs on /dev.
  }
}

/** sha256 of a file, remembered per path, size and modification time. */
async function fileHash(file: string): Promise<string> {
  const info = await stat(file).catch((e: NodeJS.ErrnoException) => {
    throw new HvbError('native-initramfs', `cannot read the guest initramfs ${file}: ${e.code ?? e.message}`, {
      hint: 'build the image first: hvbench image build',
    });
  });
  const key = `${file}\0${info.size}\0${info.mtimeMs}`;
  const known = hashes.get(key);
  if (known) return known;
  const sha = createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
  hashes.set(key, sha);
  return sha;
}
