import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleTail, parseLabConsole } from '../../src/labs/console.ts';

const N = '0123456789abcdef01234567';

describe('lab console frames', () => {
  it('reads the host key and the ready marker of this boot only', () => {
    const log = [
      '[    1.0] Linux version 6.1.0',
      `HVBLAB ffffffffffffffffffffffff hostkey ssh-ed25519 AAAAold`,
      `HVBLAB ${N} hostkey ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGSip1+/=\r`,
      `  HVBLAB ${N} ready spoofed-not-at-line-start`,
      `HVBLAB ${N} ready 6.1.0-56-amd64\r`,
    ].join('\n');
    expect(parseLabConsole(log, N)).toEqual({ hostKey: { type: 'ssh-ed25519', key: 'AAAAC3NzaC1lZDI1NTE5AAAAIGSip1+/=' }, ready: '6.1.0-56-amd64' });
  });

  it('reports the first error and nothing before the frames arrive', () => {
    expect(parseLabConsole('booting...\n', N)).toEqual({});
    expect(parseLabConsole(`HVBLAB ${N} error /dev/kvm did not appear\nHVBLAB ${N} error later\n`, N)).toEqual({ error: '/dev/kvm did not appear' });
    expect(parseLabConsole(`HVBLAB ${N} hostkey ssh-ed25519\n`, N)).toEqual({});
  });

  it('gives the last lines of a serial console without its carriage returns, other control characters shown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hvb-console-'));
    try {
      await writeFile(join(dir, 'console.log'), '[    7.3] EXT4-fs (vda): mounted\r\r\nHVBLAB n ready 6.1.0-57-amd64\r\nbell\x07\r\n');
      expect(await consoleTail(join(dir, 'console.log'), 2)).toBe('HVBLAB n ready 6.1.0-57-amd64\nbell?');
      expect(await consoleTail(join(dir, 'missing.log'))).toBe('');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
