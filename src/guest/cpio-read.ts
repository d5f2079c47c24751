import { HvbError } from '../util/errors.ts';

/**
 * Reads "newc" cpio archives (what src/guest/cpio.ts writes and the kernel unpacks),
 * checking their layout strictly. Like the kernel, it reads a concatenation of archives
 * (an initrd made of a base and segments), skipping zero padding between them; members
 * come back in archive order, so a later one at the same path overrides an earlier one.
 * Member names are checked to stay inside the root: no absolute paths, no `..`, no empty
 * components.
 */

export type CpioKind = 'file' | 'dir' | 'symlink' | 'chardev' | 'blockdev' | 'fifo' | 'socket';

export interface CpioMember {
  /** Relative path, e.g. `bin/busybox`. */
  name: string;
  kind: CpioKind;
  /** Permission bits (mode & 0o7777). */
  perm: number;
  nlink: number;
  /** File contents, or the target of a symlink (as bytes). */
  data: Buffer;
  rdevmajor: number;
  rdevminor: number;
}

const MAGIC = '070701';
const HEADER_BYTES = 110;
const TRAILER = 'TRAILER!!!';
const KINDS: Record<number, CpioKind> = {
  0o100000: 'file',
  0o040000: 'dir',
  0o120000: 'symlink',
  0o020000: 'chardev',
  0o060000: 'blockdev',
  0o010000: 'fifo',
  0o140000: 'socket',
};

export function readCpioMembers(buf: Buffer, what = 'cpio archive'): CpioMember[] {
  const members: CpioMember[] = [];
  let off = 0;
  const fail = (message: string): never => {
    throw new HvbError('cpio-invalid', `${what}: ${message} (at byte ${off})`, { hint: 'the archive is damaged or not a newc cpio; rebuild the image' });
  };
  for (;;) {
    if (off + HEADER_BYTES > buf.length) fail('ends inside an archive, without its TRAILER!!! member');
    if (buf.toString('latin1', off, off + 6) !== MAGIC) fail(`expected the newc magic ${MAGIC}`);
    const field = (i: number) => {
      const text = buf.toString('latin1', off + 6 + i * 8, off + 14 + i * 8);
      if (!/^[0-9a-fA-F]{8}$/.test(text)) fail(`header field ${i} is not 8 hex digits: ${JSON.stringify(text)}`);
      return parseInt(text, 16);
    };
    const mode = field(1);
    const nlink = field(4);
    const filesize = field(6);
    const namesize = field(11);
    const nameStart = off + HEADER_BYTES;
    if (namesize < 1 || nameStart + namesize > buf.length || buf[nameStart + namesize - 1] !== 0) fail('member name is not NUL-terminated inside the archive');
    const name = buf.toString('utf8', nameStart, nameStart + namesize - 1);
    const dataStart = align4(nameStart + namesize);
    if (dataStart + filesize > buf.length) fail(`member ${JSON.stringify(name)} runs past the end of the archive`);
    const data = buf.subarray(dataStart, dataStart + filesize);
    const next = align4(dataStart + filesize);
    if (name === TRAILER) {
      off = next;
      while (off < buf.length && buf[off] === 0) off++;
      if (off >= buf.length) return members;
      if (off % 4 !== 0) fail('the next archive does not start on a 4-byte boundary');
      continue;
    }
    if (name === '.' || name === './') {
      off = next;
      continue;
    }
    const kind = KINDS[mode & 0o170000];
    if (kind === undefined) fail(`member ${JSON.stringify(name)} has an unknown file type (mode ${mode.toString(8)})`);
    checkName(name, fail);
    members.push({ name: name.replace(/^\.\//, ''), kind: kind!, perm: mode & 0o7777, nlink, data, rdevmajor: field(9), rdevminor: field(10) });
    off = next;
  }
}

function checkName(name: string, fail: (message: string) => never): void {
  const rel = name.replace(/^\.\//, '');
  if (rel === '' || rel === '.' || rel.startsWith('/') || rel.split('/').some((c) => c === '' || c === '..' || c === '.')) {
    fail(`member name ${JSON.stringify(name)} must be a relative path without "..", "." or empty components`);
  }
}

const align4 = (n: number) => Math.ceil(n / 4) * 4;
