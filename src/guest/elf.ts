import { HvbError } from '../util/errors.ts';

/** What the dynamic loader needs to know about an ELF file. */
export interface ElfDynamicInfo {
  /** DT_NEEDED sonames, in file order. */
  needed: string[];
  /** DT_RUNPATH (preferred by the loader) and DT_RPATH entries, split on `:`. */
  runpath: string[];
  rpath: string[];
  /** PT_INTERP, e.g. `/lib64/ld-linux-x86-64.so.2`; absent for static binaries and libraries. */
  interpreter?: string;
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_RPATH = 15n;
const DT_RUNPATH = 29n;

export function isElf(buf: Buffer): boolean {
  return buf.length >= 4 && buf[0] === 0x7f && buf.toString('latin1', 1, 4) === 'ELF';
}

/** Checks the header of a 64-bit little-endian ELF file (the only kind an amd64 guest runs). */
function checkHeader(buf: Buffer, what: string): void {
  if (!isElf(buf)) throw invalid(what, 'not an ELF file');
  if (buf.length < 64) throw invalid(what, 'truncated ELF header');
  if (buf[4] !== 2 || buf[5] !== 1) throw invalid(what, 'expected a 64-bit little-endian ELF file');
}

function invalid(what: string, why: string): HvbError {
  return new HvbError('elf-invalid', `${what}: ${why}`);
}

function u64(buf: Buffer, offset: number, what: string): number {
  if (offset + 8 > buf.length) throw invalid(what, `offset ${offset} is past the end of the file`);
  const value = buf.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(what, `value at offset ${offset} is too large`);
  return Number(value);
}

interface Segment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

function segments(buf: Buffer, what: string): Segment[] {
  const phoff = u64(buf, 0x20, what);
  const phentsize = buf.readUInt16LE(0x36);
  const phnum = buf.readUInt16LE(0x38);
  const result: Segment[] = [];
  for (let i = 0; i < phnum; i++) {
    const base = phoff + i * phentsize;
    if (base + 56 > buf.length) throw invalid(what, 'program header table is past the end of the file');
    result.push({
      type: buf.readUInt32LE(base),
      offset: u64(buf, base + 8, what),
      vaddr: u64(buf, base + 16, what),
      filesz: u64(buf, base + 32, what),
    });
  }
  return result;
}

function cString(buf: Buffer, offset: number, what: string): string {
  if (offset >= buf.length) throw invalid(what, `string at offset ${offset} is past the end of the file`);
  const end = buf.indexOf(0, offset);
  return buf.toString('utf8', offset, end < 0 ? buf.length : end);
}

/** Reads DT_NEEDED, DT_RUNPATH/DT_RPATH and PT_INTERP from the program headers. */
export function readDynamicInfo(buf: Buffer, what = 'ELF file'): ElfDynamicInfo {
  checkHeader(buf, what);
  const segs = segments(buf, what);
  const info: ElfDynamicInfo = { needed: [], runpath: [], rpath: [] };
  const interp = segs.find((s) => s.type === PT_INTERP);
  if (interp) info.interpreter = cString(buf, interp.offset, what);
  const dyn = segs.find((s) => s.type === PT_DYNAMIC);
  if (!dyn) return info;

  const entries: { tag: bigint; val: number }[] = [];
  for (let off = dyn.offset; off + 16 <= dyn.offset + dyn.filesz; off += 16) {
    if (off + 16 > buf.length) throw invalid(what, 'dynamic section is past the end of the file');
    const tag = buf.readBigInt64LE(off);
    if (tag === DT_NULL) break;
    entries.push({ tag, val: u64(buf, off + 8, what) });
  }
  const strtabAddr = entries.find((e) => e.tag === DT_STRTAB)?.val;
  if (strtabAddr === undefined) return info;
  // DT_STRTAB is a virtual address: find the loaded segment that holds it.
  const load = segs.find((s) => s.type === PT_LOAD && strtabAddr >= s.vaddr && strtabAddr < s.vaddr + s.filesz);
  if (!load) throw invalid(what, 'the dynamic string table is in no loaded segment');
  const strtab = strtabAddr - load.vaddr + load.offset;
  const str = (val: number) => cString(buf, strtab + val, what);

  for (const e of entries) {
    if (e.tag === DT_NEEDED) info.needed.push(str(e.val));
    else if (e.tag === DT_RUNPATH) info.runpath.push(...splitPath(str(e.val)));
    else if (e.tag === DT_RPATH) info.rpath.push(...splitPath(str(e.val)));
  }
  return info;
}

function splitPath(value: string): string[] {
  return value.split(':').filter((p) => p !== '');
}

/** The bytes of a named section (e.g. `.modinfo` of a kernel module), or undefined if there is none. */
export function readSection(buf: Buffer, name: string, what = 'ELF file'): Buffer | undefined {
  checkHeader(buf, what);
  const shoff = u64(buf, 0x28, what);
  const shentsize = buf.readUInt16LE(0x3a);
  const shnum = buf.readUInt16LE(0x3c);
  const shstrndx = buf.readUInt16LE(0x3e);
  if (shoff === 0 || shnum === 0) return undefined;
  const header = (i: number) => {
    const base = shoff + i * shentsize;
    if (base + 64 > buf.length) throw invalid(what, 'section header table is past the end of the file');
    return { name: buf.readUInt32LE(base), offset: u64(buf, base + 24, what), size: u64(buf, base + 32, what) };
  };
  if (shstrndx >= shnum) throw invalid(what, 'section name table index is out of range');
  const names = header(shstrndx);
  for (let i = 0; i < shnum; i++) {
    const sh = header(i);
    if (cString(buf, names.offset + sh.name, what) !== name) continue;
    if (sh.offset + sh.size > buf.length) throw invalid(what, `section ${name} is past the end of the file`);
    return buf.subarray(sh.offset, sh.offset + sh.size);
  }
  return undefined;
}
