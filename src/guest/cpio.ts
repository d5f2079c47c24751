import { HvbError } from '../util/errors.ts';

/** One archive member. Paths are relative (`bin/busybox`), as the kernel's initramfs unpacker expects. */
export type CpioEntry =
  | { path: string; kind: 'dir'; mode: number }
  | { path: string; kind: 'file'; mode: number; data: Buffer }
  /** A file read only when the archive reaches it. */
  | { path: string; kind: 'file'; mode: number; read: () => Promise<Buffer> }
  | { path: string; kind: 'symlink'; target: string }
  | { path: string; kind: 'chardev'; mode: number; major: number; minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;
const TRAILER = 'TRAILER!!!';

interface Header {
  ino: number;
  mode: number;
  nlink: number;
  mtime: number;
  filesize: number;
  rdevmajor: number;
  rdevminor: number;
  name: string;
}

function hex8(value: number, field: string): string {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new HvbError('cpio-field', `cpio ${field} must fit in 32 bits, got ${value}`);
  }
  return value.toString(16).padStart(8, '0');
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

/**
 * A "newc" (SVR4, no CRC) header followed by the NUL-terminated name, padded so that
 * the data starts on a 4-byte boundary. uid, gid and device numbers are 0.
 */
export function newcHeader(h: Header): Buffer {
  const name = Buffer.from(`${h.name}\0`, 'utf8');
  const fields = [h.ino, h.mode, 0, 0, h.nlink, h.mtime, h.filesize, 0, 0, h.rdevmajor, h.rdevminor, name.length, 0];
  const names = ['ino', 'mode', 'uid', 'gid', 'nlink', 'mtime', 'filesize', 'devmajor', 'devminor', 'rdevmajor', 'rdevminor', 'namesize', 'check'];
  const text = `070701${fields.map((v, i) => hex8(v, names[i] ?? 'field')).join('')}`;
  return Buffer.concat([Buffer.from(text, 'latin1'), name, Buffer.alloc(pad4(text.length + name.length))]);
}

/**
 * The archive as a sequence of chunks, entries in the order given. Inode numbers count
 * from 1, directories have nlink 2 and everything else 1, every mtime is `mtime`.
 */
export async function* cpioChunks(entries: Iterable<CpioEntry>, mtime = 0): AsyncGenerator<Buffer> {
  let ino = 0;
  for (const e of entries) {
    if (e.path === '' || e.path.startsWith('/') || e.path === TRAILER) {
      throw new HvbError('cpio-path', `cpio member names must be relative and not "${TRAILER}", got "${e.path}"`);
    }
    ino += 1;
    const base = { ino, mtime, name: e.path, rdevmajor: 0, rdevminor: 0 };
    if (e.kind === 'dir') {
      yield newcHeader({ ...base, mode: S_IFDIR | (e.mode & 0o7777), nlink: 2, filesize: 0 });
    } else if (e.kind === 'chardev') {
      yield newcHeader({ ...base, mode: S_IFCHR | (e.mode & 0o7777), nlink: 1, filesize: 0, rdevmajor: e.major, rdevminor: e.minor });
    } else {
      const data = e.kind === 'symlink' ? Buffer.from(e.target, 'utf8') : 'data' in e ? e.data : await e.read();
      const mode = e.kind === 'file' ? S_IFREG | (e.mode & 0o7777) : S_IFLNK | 0o777;
      yield newcHeader({ ...base, mode, nlink: 1, filesize: data.length });
      yield data;
      const padding = pad4(data.length);
      if (padding > 0) yield Buffer.alloc(padding);
    }
  }
  yield newcHeader({ ino: 0, mode: 0, nlink: 1, mtime: 0, filesize: 0, rdevmajor: 0, rdevminor: 0, name: TRAILER });
}

/** The whole archive in one buffer (tests and small archives). */
export async function writeCpio(entries: Iterable<CpioEntry>, mtime = 0): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of cpioChunks(entries, mtime)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
