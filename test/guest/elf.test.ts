import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isElf, readDynamicInfo, readSection } from '../../src/guest/elf.ts';
import { dynamicElf, relocatableElf } from './fixtures/elf.ts';

describe('ELF dynamic section parser', () => {
  it('reads DT_NEEDED, DT_RUNPATH, DT_RPATH and PT_INTERP in file order', () => {
    const elf = dynamicElf({
      needed: ['libfoo.so.1', 'libc.so.6'],
      runpath: '$ORIGIN/../lib:/opt/lib',
      rpath: '/old/rpath',
      interpreter: '/lib64/ld-linux-x86-64.so.2',
    });
    expect(readDynamicInfo(elf)).toEqual({
      needed: ['libfoo.so.1', 'libc.so.6'],
      runpath: ['$ORIGIN/../lib', '/opt/lib'],
      rpath: ['/old/rpath'],
      interpreter: '/lib64/ld-linux-x86-64.so.2',
    });
  });

  it('gives no interpreter for a shared library', () => {
    expect(readDynamicInfo(dynamicElf({ needed: ['libc.so.6'] }))).toEqual({ needed: ['libc.so.6'], runpath: [], rpath: [] });
  });

  it('reads a real binary of this host (/bin/ls as test input)', () => {
    const info = readDynamicInfo(readFileSync('/bin/ls'), '/bin/ls');
    expect(info.needed).toContain('libc.so.6');
    expect(info.interpreter).toBe('/lib64/ld-linux-x86-64.so.2');
  });

  it('rejects what is not a 64-bit little-endian ELF file, naming the file', () => {
    expect(isElf(Buffer.from('#!/bin/sh\n'))).toBe(false);
    expect(() => readDynamicInfo(Buffer.from('#!/bin/sh\n'), '/usr/bin/script')).toThrow('/usr/bin/script: not an ELF file');
    const elf32 = dynamicElf();
    elf32[4] = 1;
    expect(() => readDynamicInfo(elf32, 'x')).toThrow(/64-bit little-endian/);
  });

  it('reports a truncated file instead of reading past its end', () => {
    const elf = dynamicElf({ needed: ['libc.so.6'] });
    expect(() => readDynamicInfo(elf.subarray(0, 100), 'cut')).toThrow(/past the end/);
  });
});

describe('ELF section reader', () => {
  it('returns the bytes of a named section, or undefined', () => {
    const elf = relocatableElf({ '.text': Buffer.from([0x90, 0x90]), '.modinfo': Buffer.from('depends=a\0') });
    expect(readSection(elf, '.modinfo')?.toString()).toBe('depends=a\0');
    expect(readSection(elf, '.text')).toEqual(Buffer.from([0x90, 0x90]));
    expect(readSection(elf, '.missing')).toBeUndefined();
  });
});
