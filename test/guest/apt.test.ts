import { describe, expect, it } from 'vitest';
import { debFileName, explainAptFailure, parseInstLines, parseShowRecord } from '../../src/guest/apt.ts';
import { CommandFailed } from '../../src/guest/command.ts';

describe('apt-get -s Inst lines', () => {
  const output = [
    'NOTE: This is only a simulation!',
    'Reading package lists...',
    'Inst gcc-12-base (12.2.0-14+deb12u1 Debian:12.15/oldstable [amd64])',
    'Inst libc6 (2.36-9+deb12u14 Debian:12.15/oldstable [amd64]) []',
    'Inst busybox-static (1:1.35.0-4+deb12u1+b1 Debian:12.15/oldstable [amd64])',
    'Inst libk5crypto3 (1.20.1-2+deb12u5 Debian:12.15/oldstable, Debian-Security:12/oldstable-security [amd64])',
    'Inst mysql-common (5.8+1.1.0 Debian:12.15/oldstable [all])',
    'Inst libfoo1 [1.0-1] (1.1-1 Debian:12/stable [amd64])',
    'Conf libc6 (2.36-9+deb12u14 Debian:12.15/oldstable [amd64])',
  ].join('\n');

  it('gives name, exact version (with epoch) and arch of every package to install', () => {
    expect(parseInstLines(output)).toEqual([
      { name: 'gcc-12-base', version: '12.2.0-14+deb12u1', arch: 'amd64' },
      { name: 'libc6', version: '2.36-9+deb12u14', arch: 'amd64' },
      { name: 'busybox-static', version: '1:1.35.0-4+deb12u1+b1', arch: 'amd64' },
      { name: 'libk5crypto3', version: '1.20.1-2+deb12u5', arch: 'amd64' },
      { name: 'mysql-common', version: '5.8+1.1.0', arch: 'all' },
      { name: 'libfoo1', version: '1.1-1', arch: 'amd64' },
    ]);
  });

  it('refuses an Inst line it cannot read', () => {
    expect(() => parseInstLines('Inst weird line')).toThrow('cannot read apt\'s plan line: "Inst weird line"');
  });
});

describe('apt-cache show record', () => {
  it('reads the version and the first alternative of each dependency', () => {
    const record = [
      'Package: linux-image-amd64',
      'Version: 6.1.192-2',
      'Depends: linux-image-6.1.0-56-amd64 (= 6.1.192-2), foo (>= 1) | bar',
      'Description: Linux for 64-bit PCs (meta-package)',
      '',
      'Package: linux-image-amd64',
      'Version: 6.1.176-1',
    ].join('\n');
    expect(parseShowRecord(record)).toEqual({
      version: '6.1.192-2',
      depends: [{ name: 'linux-image-6.1.0-56-amd64', version: '6.1.192-2' }, { name: 'foo' }],
    });
  });
});

describe('apt failures', () => {
  const failed = (stderr: string) => new CommandFailed('apt-get', 'downloading', 'exit code 100', '', stderr);

  it('names the package and version that can no longer be downloaded', () => {
    const e = explainAptFailure(failed("E: Version '2.36-9+deb12u1' for 'libc6' was not found"), 'downloading');
    expect(e.code).toBe('package-unavailable');
    expect(e.message).toBe('libc6 version 2.36-9+deb12u1 is not available from the configured Debian mirrors');
    expect(e.hint).toMatch(/snapshot/);
  });

  it('names an unknown package and suggests apt-get update', () => {
    const e = explainAptFailure(failed('E: Unable to locate package sysbenchh'), 'resolving');
    expect(e.message).toBe('package sysbenchh is not known to apt');
    expect(e.hint).toMatch(/apt-get update/);
  });

  it("recognises a network failure and shows the tail of apt's output", () => {
    const e = explainAptFailure(
      failed("Err:1 http://mirror/debian bookworm/main amd64 fio amd64 3.33-3\n  Temporary failure resolving 'mirror'\nE: Failed to fetch fio"),
      'downloading 1 package(s)',
    );
    expect(e.code).toBe('apt-network');
    expect(e.message).toMatch(/Temporary failure resolving/);
    expect(e.hint).toMatch(/network/);
  });

  it("passes other errors on with apt's message", () => {
    const e = explainAptFailure(failed('E: something else went wrong'), 'resolving');
    expect(e.code).toBe('apt-failed');
    expect(e.message).toBe('resolving failed:\nE: something else went wrong');
  });
});

describe('deb file names', () => {
  it('write the epoch colon as %3a, as apt-get download does', () => {
    expect(debFileName({ name: 'busybox-static', version: '1:1.35.0-4', arch: 'amd64' })).toBe('busybox-static_1%3a1.35.0-4_amd64.deb');
  });
});

describe('apt-cache failures', () => {
  it('say which package apt-cache did not find', () => {
    const e = explainAptFailure(new CommandFailed('apt-cache', 'x', 'exit code 100', '', 'E: No packages found'), 'looking up linux-image-foo');
    expect(e.message).toBe('looking up linux-image-foo: apt knows no such package');
  });
});
