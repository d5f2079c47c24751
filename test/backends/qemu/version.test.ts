import { describe, expect, it } from 'vitest';
import { parseQemuVersion } from '../../../src/backends/qemu/tcg.ts';
import { parseAccelHelp } from '../../../src/backends/qemu/version.ts';

describe('parseQemuVersion', () => {
  it('reads a Debian build', () => {
    const text = 'QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n';
    expect(parseQemuVersion(text)).toEqual({ version: '7.2.22', major: 7, minor: 2, micro: 22, package: 'Debian 1:7.2+dfsg-7+deb12u18+b3' });
  });

  it('reads an upstream build without a package, and a two-part version', () => {
    expect(parseQemuVersion('QEMU emulator version 9.1.0\nCopyright …')).toEqual({ version: '9.1.0', major: 9, minor: 1, micro: 0 });
    expect(parseQemuVersion('QEMU emulator version 8.2 (v8.2-dirty)')).toEqual({ version: '8.2', major: 8, minor: 2, micro: 0, package: 'v8.2-dirty' });
  });

  it('keeps parentheses inside the package version', () => {
    expect(parseQemuVersion('QEMU emulator version 6.2.0 (qemu-kvm-6.2.0-11.el9 (rebuilt))')?.package).toBe('qemu-kvm-6.2.0-11.el9 (rebuilt)');
  });

  it('returns undefined for anything else', () => {
    expect(parseQemuVersion('')).toBeUndefined();
    expect(parseQemuVersion('qemu-system-x86_64: command not found')).toBeUndefined();
  });
});

describe('parseAccelHelp', () => {
  it('lists the accelerators', () => {
    expect(parseAccelHelp('Accelerators supported in QEMU binary:\ntcg\nkvm\n')).toEqual(['tcg', 'kvm']);
    expect(parseAccelHelp('Accelerators supported in QEMU binary:\ntcg\n')).toEqual(['tcg']);
    expect(parseAccelHelp('something else')).toEqual([]);
  });
});
